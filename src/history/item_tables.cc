// The per-namespace item tables of Store: NS, NS_version and NS_changed.
#include <algorithm>
#include <cstring>

#include "history/store.h"
#include "sql/query.h"
#include "sql/write_sql.h"

namespace almanac::history {
namespace {

// sqlite-utils' suggest_column_types for two values' types: nulls give way, integers and
// reals make REAL, anything else mixed is TEXT.
std::string_view MergeType(std::string_view a, std::string_view b) {
  if (a.empty() || a == b) return b;
  if (b.empty()) return a;
  auto numeric = [](std::string_view t) { return t == "INTEGER" || t == "REAL"; };
  return numeric(a) && numeric(b) ? "REAL" : "TEXT";
}

std::string TypeOrText(std::string_view type) { return type.empty() ? "TEXT" : std::string(type); }

// The columns of a batch of rows in first-seen order, each with the type of all its values.
Row BatchColumns(const std::vector<Row>& rows, size_t begin, size_t end) {
  Row merged;
  for (size_t r = begin; r < end; ++r) {
    for (size_t i = 0; i < rows[r].columns.size(); ++i) {
      auto at = std::find(merged.columns.begin(), merged.columns.end(), rows[r].columns[i]);
      if (at == merged.columns.end()) {
        merged.Add(rows[r].columns[i], Value(), rows[r].types[i]);
      } else {
        std::string_view& type = merged.types[static_cast<size_t>(at - merged.columns.begin())];
        type = MergeType(type, rows[r].types[i]);
      }
    }
  }
  return merged;
}

}  // namespace

Status Store::AppendRows(const std::vector<Row>& rows) {
  if (rows.empty()) return Status::Ok();
  // insert_all's batches: at most 100 rows and 999 bound values, judged by the first row.
  size_t width = rows[0].columns.size();
  size_t batch = width == 0 ? 1 : std::max<size_t>(1, std::min<size_t>(100, 999 / width));
  for (size_t begin = 0; begin < rows.size(); begin += batch) {
    size_t end = std::min(rows.size(), begin + batch);
    Row columns = BatchColumns(rows, begin, end);
    if (!items_.exists()) {
      sql::TableDef def{ns_, {}, {}};
      for (size_t i = 0; i < columns.columns.size(); ++i) {
        sql::ColumnDef column{columns.columns[i], TypeOrText(columns.types[i])};
        if (column.name == "_commit") column.references = {"commits", "id"};
        def.columns.push_back(std::move(column));
      }
      ALM_RETURN_IF_ERROR(conn_->Exec(sql::CreateTableSql(def)));
      items_.Created(columns.columns);
    } else {
      ALM_RETURN_IF_ERROR(AddMissingColumns(ns_, items_, columns));
    }
    for (size_t r = begin; r < end; ++r) ALM_RETURN_IF_ERROR(InsertRow(ns_, rows[r]).status());
  }
  return Status::Ok();
}

Result<StoredItems> Store::LoadItems() {
  StoredItems items;
  if (!items_.exists()) return items;
  if (!items_.Has("_item_id")) {
    return InvalidArgument("Table " + ns_ +
                           " was written without --id: use --id with a new --namespace");
  }
  std::unordered_map<int64_t, StoredItem*> by_pk;
  sql::QueryBuilder q;
  q.Add("SELECT _item_id, _id FROM ").Add(sql::Identifier::ForNewObject(ns_));
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string_view id = st.ColumnText(0);
    if (id.size() != HexDigest().size()) continue;  // not written by git-history
    HexDigest key;
    std::memcpy(key.data(), id.data(), key.size());
    StoredItem& item = items[key];
    item.pk = st.ColumnInt(1);
    by_pk[item.pk] = &item;
  }
  if (!versions_.exists()) return items;
  const bool hashes = versions_.Has("_item_full_hash");
  sql::QueryBuilder v;
  // Each item's newest version is its last row: the max(_id) per _item comes from the
  // NS_version__item index alone.
  if (hashes) {
    v.Add("SELECT _item, _version, _item_full_hash FROM ");
  } else {
    v.Add("SELECT _item, _version, NULL FROM ");
  }
  auto table = sql::Identifier::ForNewObject(version_table_);
  v.Add(table).Add(" WHERE _id IN (SELECT max(_id) FROM ").Add(table).Add(" GROUP BY _item)");
  ALM_ASSIGN_OR_RETURN(db::Statement vs, conn_->Prepare(v.query()));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, vs.Step());
    if (!row) break;
    auto it = by_pk.find(vs.ColumnInt(0));
    if (it == by_pk.end()) continue;
    it->second->version = vs.ColumnInt(1);
    std::string_view hash = vs.ColumnText(2);
    it->second->has_hash = hash.size() == HexDigest().size();
    if (it->second->has_hash) std::memcpy(it->second->hash.data(), hash.data(), hash.size());
  }
  return items;
}

Result<Row> Store::ReadItem(int64_t pk) {
  sql::QueryBuilder q;
  q.Add("SELECT * FROM ")
      .Add(sql::Identifier::ForNewObject(ns_))
      .Add(" WHERE _id = ")
      .Bind(Value::Integer(pk));
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  ALM_ASSIGN_OR_RETURN(bool found, st.Step());
  Row row;
  if (!found) return NotFound("No item with _id " + std::to_string(pk));
  for (int i = 0; i < st.ColumnCount(); ++i) {
    row.Add(std::string(st.ColumnName(i)), st.Column(i), "");
  }
  return row;
}

Result<int64_t> Store::InsertItem(const Row& row) {
  if (!items_.exists()) {
    sql::TableDef def{ns_, {{"_id", "INTEGER"}, {"_item_id", "TEXT"}}, {"_id"}};
    ALM_RETURN_IF_ERROR(conn_->Exec(sql::CreateTableSql(def)));
    items_.Created({"_id", "_item_id"});
    ALM_RETURN_IF_ERROR(CreateIndex(ns_, {"_item_id"}, true));
  }
  ALM_RETURN_IF_ERROR(AddMissingColumns(ns_, items_, row));
  return InsertRow(ns_, row);
}

Status Store::UpdateItem(int64_t pk, const Row& row) {
  ALM_RETURN_IF_ERROR(AddMissingColumns(ns_, items_, row));
  std::vector<sql::Identifier> names;
  for (const std::string& c : row.columns) names.push_back(sql::Identifier::ForNewObject(c));
  sql::RowKey key{{sql::Identifier::ForNewObject("_id")}, {Value::Integer(pk)}};
  return Run(sql::UpdateRow(sql::Identifier::ForNewObject(ns_), names, row.values, key));
}

Result<int64_t> Store::InsertVersion(const Row& row) {
  if (!versions_.exists()) {
    // column_order=("_item", "_version", "_commit") after the _id primary key.
    sql::TableDef def{
        version_table_,
        {{"_id", "INTEGER"},
         {"_item", "INTEGER", false, std::nullopt, std::make_pair(ns_, "_id")},
         {"_version", "INTEGER"},
         {"_commit", "INTEGER", false, std::nullopt, std::make_pair("commits", "id")}},
        {"_id"}};
    std::vector<std::string> names = {"_id", "_item", "_version", "_commit"};
    for (size_t i = 0; i < row.columns.size(); ++i) {
      const std::string& c = row.columns[i];
      if (c == "_item" || c == "_version" || c == "_commit") continue;
      def.columns.push_back({c, TypeOrText(row.types[i])});
      names.push_back(c);
    }
    ALM_RETURN_IF_ERROR(conn_->Exec(sql::CreateTableSql(def)));
    versions_.Created(std::move(names));
  }
  ALM_RETURN_IF_ERROR(AddMissingColumns(version_table_, versions_, row));
  return InsertRow(version_table_, row);
}

Status Store::RecordChanged(int64_t version_id, const std::vector<std::string>& columns) {
  if (columns.empty()) return Status::Ok();
  std::vector<int64_t> ids;
  for (const std::string& c : columns) {
    ALM_ASSIGN_OR_RETURN(int64_t id, ColumnId(c));
    ids.push_back(id);
  }
  if (!changed_.exists()) {
    sql::TableDef def{
        changed_table_,
        {{"item_version", "INTEGER", false, std::nullopt, std::make_pair(version_table_, "_id")},
         {"column", "INTEGER", false, std::nullopt, std::make_pair("columns", "id")}},
        {"item_version", "column"}};
    ALM_RETURN_IF_ERROR(conn_->Exec(sql::CreateTableSql(def)));
    changed_.Created({"item_version", "column"});
  }
  for (int64_t id : ids) {
    Row row;
    row.Add("item_version", Value::Integer(version_id), "INTEGER");
    row.Add("column", Value::Integer(id), "INTEGER");
    ALM_RETURN_IF_ERROR(InsertRow(changed_table_, row).status());
  }
  return Status::Ok();
}

}  // namespace almanac::history
