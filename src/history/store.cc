#include "history/store.h"

#include "core/text.h"
#include "sql/query.h"
#include "sql/write_sql.h"

namespace almanac::history {

using sql::QuoteIdentifier;

bool TableColumns::Has(std::string_view name) const { return folded_.count(AsciiLower(name)) > 0; }

void TableColumns::Created(std::vector<std::string> names) {
  exists_ = true;
  names_.clear();
  folded_.clear();
  for (std::string& name : names) Added(name);
}

void TableColumns::Added(const std::string& name) {
  exists_ = true;
  names_.push_back(name);
  folded_.insert(AsciiLower(name));
}

Store::Store(std::unique_ptr<db::Connection> conn, std::string ns)
    : conn_(std::move(conn)),
      ns_(std::move(ns)),
      version_table_(ns_ + "_version"),
      changed_table_(ns_ + "_changed"),
      removed_table_(ns_ + "_removed") {}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, std::string ns, bool wal) {
  std::string folded = AsciiLower(ns);
  if (folded.empty() || folded == "namespaces" || folded == "commits" || folded == "columns") {
    return InvalidArgument("--namespace cannot be \"" + ns + "\": it names a shared table");
  }
  db::OpenOptions options;
  options.path = path;
  options.read_only = false;
  options.create = true;
  ALM_ASSIGN_OR_RETURN(auto conn, db::Connection::Open(options));
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA busy_timeout = 5000"));
  // A page cache that holds a batch of commits' writes without spilling to the file mid-way.
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -16384"));
  if (wal) ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode = wal"));
  std::unique_ptr<Store> store(new Store(std::move(conn), std::move(ns)));
  ALM_ASSIGN_OR_RETURN(store->namespaces_, store->LoadColumns("namespaces"));
  ALM_ASSIGN_OR_RETURN(store->commits_, store->LoadColumns("commits"));
  ALM_ASSIGN_OR_RETURN(store->columns_, store->LoadColumns("columns"));
  ALM_ASSIGN_OR_RETURN(store->items_, store->LoadColumns(store->ns_));
  ALM_ASSIGN_OR_RETURN(store->versions_, store->LoadColumns(store->version_table_));
  ALM_ASSIGN_OR_RETURN(store->changed_, store->LoadColumns(store->changed_table_));
  ALM_ASSIGN_OR_RETURN(store->removed_, store->LoadColumns(store->removed_table_));
  ALM_ASSIGN_OR_RETURN(
      store->namespace_id_,
      store->Lookup("namespaces", store->namespaces_, {{"name", Value::Text(store->ns_)}}, {}, {}));
  if (store->columns_.exists()) {
    sql::QueryBuilder q;
    q.Add("SELECT name, id FROM columns WHERE namespace = ")
        .Bind(Value::Integer(store->namespace_id_));
    ALM_ASSIGN_OR_RETURN(db::Statement st, store->conn_->Prepare(q.query()));
    while (true) {
      ALM_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      store->column_ids_[std::string(st.ColumnText(0))] = st.ColumnInt(1);
    }
  }
  return store;
}

Status Store::Run(const sql::Query& query) {
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(query));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
  }
}

Status Store::Begin() { return conn_->Exec("BEGIN"); }
Status Store::Commit() { return conn_->Exec("COMMIT"); }
Status Store::Savepoint() { return conn_->Exec("SAVEPOINT git_commit"); }
Status Store::Release() { return conn_->Exec("RELEASE git_commit"); }
Status Store::RollbackToSavepoint() {
  ALM_RETURN_IF_ERROR(conn_->Exec("ROLLBACK TO git_commit"));
  return conn_->Exec("RELEASE git_commit");
}

Result<TableColumns> Store::LoadColumns(const std::string& table) {
  sql::QueryBuilder q;
  q.Add("SELECT name FROM pragma_table_info(").Bind(Value::Text(table)).Add(")");
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  std::vector<std::string> names;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    names.emplace_back(st.ColumnText(0));
  }
  TableColumns columns;
  if (!names.empty()) columns.Created(std::move(names));
  return columns;
}

Status Store::CreateIndex(const std::string& table, const std::vector<std::string>& columns,
                          bool unique) {
  std::string name = "idx_" + table;
  std::string list;
  for (const std::string& c : columns) {
    name += "_" + c;
    list += (list.empty() ? "" : ", ") + QuoteIdentifier(c);
  }
  return conn_->Exec(std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " +
                     QuoteIdentifier(name) + "\n    ON " + QuoteIdentifier(table) + " (" + list +
                     ")");
}

Status Store::AddMissingColumns(const std::string& table, TableColumns& columns, const Row& row) {
  for (size_t i = 0; i < row.columns.size(); ++i) {
    if (columns.Has(row.columns[i])) continue;
    sql::ColumnDef def{row.columns[i], row.types[i].empty() ? "TEXT" : std::string(row.types[i])};
    ALM_RETURN_IF_ERROR(conn_->Exec(sql::AddColumnSql(table, def)));
    columns.Added(row.columns[i]);
  }
  return Status::Ok();
}

Result<int64_t> Store::InsertRow(const std::string& table, const Row& row) {
  std::vector<sql::Identifier> names;
  names.reserve(row.columns.size());
  for (const std::string& c : row.columns) names.push_back(sql::Identifier::ForNewObject(c));
  ALM_RETURN_IF_ERROR(Run(sql::InsertRow(sql::Identifier::ForNewObject(table), names, row.values)));
  return conn_->LastInsertRowid();
}

Result<int64_t> Store::Lookup(const std::string& table, TableColumns& columns,
                              const std::vector<std::pair<std::string, Value>>& key,
                              const std::vector<std::pair<std::string, Value>>& extra,
                              const std::vector<std::pair<std::string, std::string>>& references) {
  Row row;
  for (const auto* part : {&key, &extra}) {
    for (const auto& [name, value] : *part) {
      row.Add(name, value, value.type() == Value::Type::kInteger ? "INTEGER" : "TEXT");
    }
  }
  if (!columns.exists()) {
    sql::TableDef def{table, {{"id", "INTEGER"}}, {"id"}};
    std::vector<std::string> names = {"id"};
    for (size_t i = 0; i < row.columns.size(); ++i) {
      sql::ColumnDef column{row.columns[i], std::string(row.types[i])};
      for (const auto& [from, to] : references) {
        if (from == row.columns[i]) column.references = {to, "id"};
      }
      def.columns.push_back(std::move(column));
      names.push_back(row.columns[i]);
    }
    ALM_RETURN_IF_ERROR(conn_->Exec(sql::CreateTableSql(def)));
    columns.Created(std::move(names));
    ALM_ASSIGN_OR_RETURN(int64_t id, InsertRow(table, row));
    std::vector<std::string> key_columns;
    for (const auto& [name, value] : key) key_columns.push_back(name);
    ALM_RETURN_IF_ERROR(CreateIndex(table, key_columns, true));
    return id;
  }
  ALM_RETURN_IF_ERROR(AddMissingColumns(table, columns, row));
  sql::QueryBuilder q;
  q.Add("SELECT id FROM ").Add(sql::Identifier::ForNewObject(table)).Add(" WHERE ");
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) q.Add(" AND ");
    q.Add(sql::Identifier::ForNewObject(key[i].first)).Add(" IS ").Bind(key[i].second);
  }
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  ALM_ASSIGN_OR_RETURN(bool found, st.Step());
  if (found) return st.ColumnInt(0);
  return InsertRow(table, row);
}

Result<std::unordered_map<std::string, int64_t>> Store::KnownCommits() {
  std::unordered_map<std::string, int64_t> known;
  if (!commits_.exists()) return known;
  sql::QueryBuilder q;
  q.Add("SELECT hash, id FROM commits WHERE namespace = ").Bind(Value::Integer(namespace_id_));
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    known.emplace(std::string(st.ColumnText(0)), st.ColumnInt(1));
  }
  return known;
}

Result<std::vector<std::string>> Store::CommitsNewestFirst() {
  std::vector<std::string> hashes;
  if (!commits_.exists()) return hashes;
  sql::QueryBuilder q;
  q.Add("SELECT hash FROM commits WHERE namespace = ")
      .Bind(Value::Integer(namespace_id_))
      .Add(" ORDER BY id DESC");
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    hashes.emplace_back(st.ColumnText(0));
  }
  return hashes;
}

Result<std::string> Store::NewestCommit() {
  ALM_ASSIGN_OR_RETURN(std::vector<std::string> hashes, CommitsNewestFirst());
  return hashes.empty() ? std::string() : hashes.front();
}

Result<int64_t> Store::AddCommit(const std::string& hash, const std::string& commit_at) {
  return Lookup("commits", commits_,
                {{"namespace", Value::Integer(namespace_id_)}, {"hash", Value::Text(hash)}},
                {{"commit_at", Value::Text(commit_at)}}, {{"namespace", "namespaces"}});
}

Result<int64_t> Store::ColumnId(const std::string& name) {
  auto it = column_ids_.find(name);
  if (it != column_ids_.end()) return it->second;
  ALM_ASSIGN_OR_RETURN(int64_t id, Lookup("columns", columns_,
                                          {{"namespace", Value::Integer(namespace_id_)},
                                           {"name", Value::Text(name)}},
                                          {}, {{"namespace", "namespaces"}}));
  column_ids_.emplace(name, id);
  return id;
}

Status Store::EnsureRemovedTable() {
  if (removed_.exists()) return Status::Ok();
  sql::TableDef def{
      removed_table_,
      {{"_id", "INTEGER"},
       {"_item", "INTEGER", false, std::nullopt, std::make_pair(ns_, "_id")},
       {"_commit", "INTEGER", false, std::nullopt, std::make_pair("commits", "id")},
       {"_restored_commit", "INTEGER", false, std::nullopt, std::make_pair("commits", "id")}},
      {"_id"}};
  ALM_RETURN_IF_ERROR(conn_->Exec(sql::CreateTableSql(def)));
  removed_.Created({"_id", "_item", "_commit", "_restored_commit"});
  return CreateIndex(removed_table_, {"_item"}, false);
}

Result<std::unordered_map<int64_t, int64_t>> Store::OpenRemovals() {
  std::unordered_map<int64_t, int64_t> open;
  if (!removed_.exists()) return open;
  sql::QueryBuilder q;
  q.Add("SELECT _item, max(_id) FROM ")
      .Add(sql::Identifier::ForNewObject(removed_table_))
      .Add(" WHERE _restored_commit IS NULL GROUP BY _item");
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(q.query()));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    open.emplace(st.ColumnInt(0), st.ColumnInt(1));
  }
  return open;
}

Result<int64_t> Store::RecordRemoval(int64_t item_pk, int64_t commit_id) {
  ALM_RETURN_IF_ERROR(EnsureRemovedTable());
  Row row;
  row.Add("_item", Value::Integer(item_pk), "INTEGER");
  row.Add("_commit", Value::Integer(commit_id), "INTEGER");
  return InsertRow(removed_table_, row);
}

Status Store::RecordRestored(int64_t removal_id, int64_t commit_id) {
  sql::QueryBuilder q;
  q.Add("UPDATE ")
      .Add(sql::Identifier::ForNewObject(removed_table_))
      .Add(" SET _restored_commit = ")
      .Bind(Value::Integer(commit_id))
      .Add(" WHERE _id = ")
      .Bind(Value::Integer(removal_id));
  return Run(q.query());
}

Status Store::Finish() {
  if (!versions_.exists()) return Status::Ok();
  // git-history's view text, word for word (names are quoted only when they must be).
  std::string version = sql::EscapeIdentifier(version_table_);
  std::string changed = sql::EscapeIdentifier(changed_table_);
  std::string view = ns_ + "_version_detail";
  sql::QueryBuilder exists;
  exists.Add("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ").Bind(Value::Text(view));
  ALM_ASSIGN_OR_RETURN(db::Statement st, conn_->Prepare(exists.query()));
  ALM_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) {
    ALM_RETURN_IF_ERROR(conn_->Exec(
        "CREATE VIEW " + QuoteIdentifier(view) +
        " AS select\n"
        "  commits.commit_at as _commit_at,\n"
        "  commits.hash as _commit_hash,\n  " +
        version + ".*,\n  (\n    select json_group_array(name) from columns\n" +
        "    where id in (\n      select column from " + changed +
        "\n      where item_version = " + version + "._id\n    )\n) as _changed_columns\nfrom " +
        version + "\n  join commits on commits.id = " + version + "._commit"));
  }
  ALM_RETURN_IF_ERROR(CreateIndex(version_table_, {"_item"}, false));
  return EnsureRemovedTable();
}

}  // namespace almanac::history
