#include "links/link_build.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

#include "changes/change_event.h"
#include "sql/query.h"

namespace almanac::links {

std::map<KindKey, int64_t> KindIds(const std::vector<Kind>& kinds) {
  std::map<KindKey, int64_t> ids;
  for (const Kind& kind : kinds) {
    ids.emplace(KindKey{kind.source_table, kind.source_column, kind.target_table}, kind.id);
  }
  return ids;
}

Status ScanTable(db::Connection& conn, const db::TableInfo& table, const std::vector<ScanDef>& defs,
                 const std::function<Status(Entry)>& emit) {
  if (defs.empty()) return Status::Ok();
  // Only the key and link columns are read.
  bool rowid = table.primary_keys.empty();
  std::vector<size_t> wanted;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    bool needed = std::find(table.primary_keys.begin(), table.primary_keys.end(),
                            table.columns[i].name) != table.primary_keys.end();
    for (const ScanDef& d : defs) needed = needed || d.def.column_index == i;
    if (needed) wanted.push_back(i);
  }
  std::string sql = "SELECT ";
  sql += rowid ? "rowid" : "NULL";
  for (size_t i : wanted) {
    sql += ", " + sql::Identifier::FromSchema(table.columns[i].name).Quoted();
  }
  sql += " FROM " + sql::Identifier::FromSchema(table.name).Quoted();
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({sql, {}}));
  std::vector<Value> values(table.columns.size());
  std::vector<Entry> entries;
  std::vector<std::string> keys;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    for (size_t w = 0; w < wanted.size(); ++w) {
      values[wanted[w]] = stmt.Column(static_cast<int>(w) + 1);
    }
    StoredPk pk = StoredPk::FromRow(&table, values, rowid ? stmt.ColumnInt(0) : 0);
    entries.clear();
    RowEntries(defs, values, pk, keys, entries);
    for (Entry& entry : entries) ALM_RETURN_IF_ERROR(emit(std::move(entry)));
  }
  return Status::Ok();
}

Result<int64_t> BuildKinds(db::Connection& conn, const db::TableInfo& table,
                           const std::vector<ScanDef>& defs) {
  // A table keyed by its rowid: plain columns are built by SQLite itself (BuildPlainKind);
  // JSON paths and other keys by a scan here.
  bool rowid_key = table.primary_keys.empty();
  std::string key_sql = "rowid";
  if (!table.without_rowid && table.primary_keys.size() == 1) {
    const db::ColumnInfo* column = table.FindColumn(table.primary_keys[0]);
    std::string type = column ? column->type : std::string();
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (type == "integer") {  // INTEGER PRIMARY KEY: the rowid under another name
      rowid_key = true;
      key_sql = sql::Identifier::FromSchema(column->name).Quoted();
    }
  }
  int64_t written = 0;
  std::set<int64_t> built;
  std::vector<ScanDef> rest;
  for (const ScanDef& d : defs) {
    if (!rowid_key || !d.def.steps.empty()) {
      rest.push_back(d);
    } else if (built.insert(d.kind).second) {
      ALM_ASSIGN_OR_RETURN(
          int64_t made,
          BuildPlainKind(conn, d.kind, sql::Identifier::FromSchema(table.name).Quoted(),
                         sql::Identifier::FromSchema(d.def.column).Quoted(), key_sql));
      written += made;
    }
  }
  BulkWriter writer(conn);
  ALM_RETURN_IF_ERROR(
      ScanTable(conn, table, rest, [&](Entry entry) { return writer.Add(std::move(entry)); }));
  ALM_RETURN_IF_ERROR(writer.Flush());
  return written + writer.written();
}

}  // namespace almanac::links
