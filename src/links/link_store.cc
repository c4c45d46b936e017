#include "links/link_store.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <utility>

#include <sqlite3.h>

#include "changes/change_event.h"
#include "core/float_repr.h"
#include "links/link_pending.h"

namespace almanac::links {

StoredPk StoredPk::FromJson(std::string_view json) {
  StoredPk pk;
  if (json.size() > 2 && json.front() == '[' && json.back() == ']') {
    std::string_view inside = json.substr(1, json.size() - 2);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), value);
    // Only the text JSON writes for an integer: no "+", no leading zeros, no "-0".
    bool canonical =
        !inside.empty() &&
        (inside.size() == 1 || (inside[0] != '0' && inside != "-0" && !inside.starts_with("-0")));
    if (ec == std::errc() && end == inside.data() + inside.size() && canonical) {
      pk.is_int = true;
      pk.integer = value;
      return pk;
    }
  }
  pk.text = std::string(json);
  return pk;
}

StoredPk StoredPk::FromRow(const db::TableInfo* info, const std::vector<Value>& values,
                           int64_t rowid) {
  StoredPk pk;
  if (!info || info->primary_keys.empty()) {
    pk.is_int = true;
    pk.integer = rowid;
    return pk;
  }
  if (info->primary_keys.size() == 1) {
    size_t index = 0;
    while (index < info->columns.size() && info->columns[index].name != info->primary_keys[0]) {
      ++index;
    }
    if (index < values.size() && values[index].type() == Value::Type::kInteger) {
      pk.is_int = true;
      pk.integer = values[index].integer();
      return pk;
    }
  }
  return FromJson(changes::KeyJson(info, values, rowid));
}

StoredPk StoredPk::FromColumn(const db::Statement& stmt, int column) {
  StoredPk pk;
  if (stmt.ColumnType(column) == 1 /* SQLITE_INTEGER */) {
    pk.is_int = true;
    pk.integer = stmt.ColumnInt(column);
  } else {
    pk.text = std::string(stmt.ColumnText(column));
  }
  return pk;
}

std::string StoredPk::ToJson() const {
  if (!is_int) return text;
  return "[" + std::to_string(integer) + "]";
}

Status StoredPk::Bind(db::Statement& stmt, int index) const {
  return is_int ? stmt.BindInt(index, integer) : stmt.BindText(index, text);
}

bool operator<(const StoredPk& a, const StoredPk& b) {
  if (a.is_int != b.is_int) return a.is_int;
  return a.is_int ? a.integer < b.integer : a.text < b.text;
}

bool operator==(const StoredPk& a, const StoredPk& b) {
  return a.is_int == b.is_int && (a.is_int ? a.integer == b.integer : a.text == b.text);
}

bool operator<(const Entry& a, const Entry& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  if (int c = a.target_key.compare(b.target_key); c != 0) return c < 0;
  return a.source_pk < b.source_pk;
}

bool operator==(const Entry& a, const Entry& b) {
  return a.kind == b.kind && a.target_key == b.target_key && a.source_pk == b.source_pk;
}

std::string SidePath(const std::string& db_path) { return db_path + "-links"; }

Status AttachSide(db::Connection& conn, const std::string& side_path) {
  if (sqlite3_db_filename(conn.handle(), kSideSchema) != nullptr) return Status::Ok();
  if (sqlite3_get_autocommit(conn.handle()) == 0) {
    return Internal("the links index cannot be read inside this transaction");
  }
  ALM_ASSIGN_OR_RETURN(
      db::Statement attach,
      conn.Prepare({std::string("ATTACH ? AS ") + kSideSchema, {Value::Text(side_path)}}));
  return attach.Step().status();
}

Result<bool> CreateMainTables(db::Connection& conn) {
  // Earlier layouts kept the links and counters in the database file itself (the first one
  // with five names per link): their tables are dropped, and everything is rebuilt.
  ALM_ASSIGN_OR_RETURN(
      db::Statement old,
      conn.Prepare({"SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name IN "
                    "('_almanac_links', '_almanac_link_counts')",
                    {}}));
  ALM_ASSIGN_OR_RETURN(bool earlier_layout, old.Step());
  old = db::Statement();
  if (earlier_layout) {
    ALM_ASSIGN_OR_RETURN(
        db::Statement first,
        conn.Prepare({"SELECT 1 FROM pragma_table_info('_almanac_links', 'main') WHERE name = "
                      "'target_table'",
                      {}}));
    ALM_ASSIGN_OR_RETURN(bool first_layout, first.Step());
    first = db::Statement();
    ALM_RETURN_IF_ERROR(
        conn.Exec("DROP TABLE IF EXISTS main._almanac_links; DROP TABLE IF EXISTS "
                  "main._almanac_link_counts"));
    if (first_layout) {
      ALM_RETURN_IF_ERROR(
          conn.Exec("DROP TABLE IF EXISTS main._almanac_links_state; DROP TABLE "
                    "IF EXISTS main._almanac_link_kinds; DROP TABLE IF EXISTS "
                    "main._almanac_link_pending"));
    }
  }
  ALM_RETURN_IF_ERROR(conn.Exec(
      "CREATE TABLE IF NOT EXISTS main._almanac_link_kinds (id INTEGER PRIMARY KEY, source_table "
      "TEXT NOT NULL, source_column TEXT NOT NULL, target_table TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS main._almanac_links_state (source_table TEXT PRIMARY KEY, "
      "fingerprint TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS main._almanac_links_id (id TEXT NOT NULL);" +
      std::string(PendingSchemaSql())));
  // Pending changes of the first layout (one row per change) become one row of this one; their
  // seqs start again, so the whole index is rebuilt (that layout kept it in the file anyway).
  ALM_ASSIGN_OR_RETURN(std::optional<int64_t> moved, MigratePendingLayout(conn));
  return earlier_layout || moved.has_value();
}

Result<std::string> MainId(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(db::Statement read,
                       conn.Prepare({"SELECT id FROM main._almanac_links_id LIMIT 1", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, read.Step());
  if (row) return std::string(read.ColumnText(0));
  read = db::Statement();
  ALM_ASSIGN_OR_RETURN(
      db::Statement make,
      conn.Prepare({"INSERT INTO main._almanac_links_id (id) VALUES (lower(hex(randomblob(16)))) "
                    "RETURNING id",
                    {}}));
  ALM_ASSIGN_OR_RETURN(bool made, make.Step());
  if (!made) return Internal("could not name the links index");
  std::string id(make.ColumnText(0));
  ALM_RETURN_IF_ERROR(make.Step().status());
  return id;
}

Status CreateSideTables(db::Connection& conn) {
  const std::string side = kSideSchema;
  return conn.Exec(
      "CREATE TABLE IF NOT EXISTS " + side +
      "._almanac_links (kind INTEGER NOT NULL, target_key TEXT NOT NULL, source_pk NOT NULL, "
      "PRIMARY KEY (kind, target_key, source_pk)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS " +
      side +
      "._almanac_link_counts (kind INTEGER NOT NULL, target_key TEXT NOT NULL, n INTEGER NOT "
      "NULL, PRIMARY KEY (kind, target_key)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS " +
      side +
      "._almanac_links_merged (id INTEGER PRIMARY KEY CHECK (id = 1), through INTEGER NOT NULL, "
      "main_id TEXT NOT NULL);"
      "INSERT OR IGNORE INTO " +
      side + "._almanac_links_merged (id, through, main_id) VALUES (1, 0, '')");
}

Result<SideState> ReadSideState(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({std::string("SELECT through, main_id FROM ") + kSideSchema +
                                         "._almanac_links_merged WHERE id = 1",
                                     {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  SideState state;
  if (row) {
    state.through = stmt.ColumnInt(0);
    state.main_id = std::string(stmt.ColumnText(1));
  }
  return state;
}

Status WriteSideState(db::Connection& conn, const SideState& state) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({std::string("UPDATE ") + kSideSchema +
                        "._almanac_links_merged SET through = ?, main_id = ? WHERE id = 1",
                    {Value::Integer(state.through), Value::Text(state.main_id)}}));
  return stmt.Step().status();
}

const char* PendingSchemaSql() {
  return "CREATE TABLE IF NOT EXISTS _almanac_link_pending (seq INTEGER PRIMARY KEY, n INTEGER "
         "NOT NULL, changes BLOB NOT NULL)";
}

namespace {

Result<std::vector<Kind>> ReadKinds(db::Statement& stmt) {
  std::vector<Kind> kinds;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    kinds.push_back(Kind{stmt.ColumnInt(0), std::string(stmt.ColumnText(1)),
                         std::string(stmt.ColumnText(2)), std::string(stmt.ColumnText(3))});
  }
  return kinds;
}

}  // namespace

Result<std::vector<Kind>> LoadKinds(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT id, source_table, source_column, target_table FROM "
                                     "_almanac_link_kinds ORDER BY id",
                                     {}}));
  return ReadKinds(stmt);
}

Result<std::vector<Kind>> KindsOfTarget(db::Connection& conn, const std::string& target_table) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT id, source_table, source_column, target_table FROM "
                    "_almanac_link_kinds WHERE target_table = ? ORDER BY source_table, "
                    "source_column",
                    {Value::Text(target_table)}}));
  return ReadKinds(stmt);
}

Result<std::vector<int64_t>> DropSourceKinds(db::Connection& conn,
                                             const std::string& source_table) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement kinds,
      conn.Prepare({"DELETE FROM main._almanac_link_kinds WHERE source_table = ? RETURNING id",
                    {Value::Text(source_table)}}));
  std::vector<int64_t> ids;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, kinds.Step());
    if (!row) break;
    ids.push_back(kinds.ColumnInt(0));
  }
  kinds = db::Statement();
  ALM_ASSIGN_OR_RETURN(db::Statement state,
                       conn.Prepare({"DELETE FROM main._almanac_links_state WHERE source_table = ?",
                                     {Value::Text(source_table)}}));
  ALM_RETURN_IF_ERROR(state.Step().status());
  return ids;
}

Status DropKindLinks(db::Connection& conn, int64_t kind) {
  // A kind's links are one range of each primary key.
  for (const char* sql : {"DELETE FROM _almanac_links WHERE kind = ?",
                          "DELETE FROM _almanac_link_counts WHERE kind = ?"}) {
    ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({sql, {Value::Integer(kind)}}));
    ALM_RETURN_IF_ERROR(stmt.Step().status());
  }
  return Status::Ok();
}

Result<int64_t> AddKind(db::Connection& conn, const std::string& source_table,
                        const std::string& source_column, const std::string& target_table) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare(
          {"INSERT INTO _almanac_link_kinds (source_table, source_column, target_table) "
           "VALUES (?, ?, ?)",
           {Value::Text(source_table), Value::Text(source_column), Value::Text(target_table)}}));
  ALM_RETURN_IF_ERROR(stmt.Step().status());
  return conn.LastInsertRowid();
}

namespace {

// almanac_link_key(x): a link's target key, as TargetKeys makes it from a column's value
// (Value::ToDisplayString): integers in decimal, reals as Python prints them, text and blobs
// as their bytes; NULL for NULL (no link).
void LinkKeyFunction(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  sqlite3_value* value = argv[0];
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER: {
      char buffer[24];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, sqlite3_value_int64(value));
      (void)ec;
      sqlite3_result_text(ctx, buffer, static_cast<int>(end - buffer), SQLITE_TRANSIENT);
      return;
    }
    case SQLITE_FLOAT: {
      std::string text = PythonFloat(sqlite3_value_double(value));
      sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      return;
    }
    case SQLITE_TEXT:
      sqlite3_result_value(ctx, value);
      return;
    case SQLITE_BLOB: {
      const void* bytes = sqlite3_value_blob(value);
      sqlite3_result_text(ctx, bytes ? static_cast<const char*>(bytes) : "",
                          sqlite3_value_bytes(value), SQLITE_TRANSIENT);
      return;
    }
    default:
      sqlite3_result_null(ctx);
  }
}

}  // namespace

Result<int64_t> BuildPlainKind(db::Connection& conn, int64_t kind, const std::string& table_sql,
                               const std::string& column_sql, const std::string& key_sql) {
  int rc = sqlite3_create_function_v2(conn.handle(), "almanac_link_key", 1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &LinkKeyFunction,
                                      nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return db::FromSqlite(rc, conn.handle());
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare({"INSERT OR IGNORE INTO _almanac_links (kind, target_key, source_pk) SELECT ?, "
                    "almanac_link_key(" +
                        column_sql + "), " + key_sql + " FROM " + table_sql + " WHERE " +
                        column_sql + " IS NOT NULL ORDER BY 2, 3",
                    {Value::Integer(kind)}}));
  ALM_RETURN_IF_ERROR(insert.Step().status());
  int64_t written = conn.Changes();
  insert = db::Statement();
  ALM_ASSIGN_OR_RETURN(
      db::Statement counts,
      conn.Prepare({"INSERT INTO _almanac_link_counts (kind, target_key, n) SELECT kind, "
                    "target_key, count(*) FROM _almanac_links WHERE kind = ? GROUP BY target_key",
                    {Value::Integer(kind)}}));
  ALM_RETURN_IF_ERROR(counts.Step().status());
  return written;
}

Status BulkWriter::Add(Entry entry) {
  if (pending_.empty()) pending_.reserve(std::min(chunk_, size_t{1} << 16));
  pending_.push_back(std::move(entry));
  if (pending_.size() >= chunk_) return Flush();
  return Status::Ok();
}

Result<IndexWriter> IndexWriter::Open(db::Connection& conn) {
  IndexWriter writer(conn);
  ALM_ASSIGN_OR_RETURN(
      writer.insert_,
      conn.Prepare({"INSERT OR IGNORE INTO _almanac_links (kind, target_key, source_pk) VALUES "
                    "(?, ?, ?)",
                    std::vector<Value>(3)}));
  ALM_ASSIGN_OR_RETURN(writer.remove_,
                       conn.Prepare({"DELETE FROM _almanac_links WHERE kind = ? AND target_key = "
                                     "? AND source_pk = ?",
                                     std::vector<Value>(3)}));
  ALM_ASSIGN_OR_RETURN(
      writer.add_count_,
      conn.Prepare({"INSERT INTO _almanac_link_counts (kind, target_key, n) VALUES (?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET n = n + excluded.n",
                    std::vector<Value>(3)}));
  ALM_ASSIGN_OR_RETURN(
      writer.sub_count_,
      conn.Prepare(
          {"UPDATE _almanac_link_counts SET n = n + ?3 WHERE kind = ?1 AND target_key = ?2",
           std::vector<Value>(3)}));
  ALM_ASSIGN_OR_RETURN(writer.drop_count_,
                       conn.Prepare({"DELETE FROM _almanac_link_counts WHERE kind = ? AND "
                                     "target_key = ? AND n <= 0",
                                     std::vector<Value>(2)}));
  return writer;
}

Status IndexWriter::Change(const Entry& entry, int delta) {
  if (in_run_ && (entry.kind != run_kind_ || entry.target_key != run_target_)) {
    ALM_RETURN_IF_ERROR(WriteCount());
  }
  if (!in_run_) {
    in_run_ = true;
    run_kind_ = entry.kind;
    run_target_ = entry.target_key;
  }
  if (delta == 0) return Status::Ok();
  db::Statement& stmt = delta > 0 ? insert_ : remove_;
  ALM_RETURN_IF_ERROR(stmt.BindInt(1, entry.kind));
  ALM_RETURN_IF_ERROR(stmt.BindText(2, entry.target_key));
  ALM_RETURN_IF_ERROR(entry.source_pk.Bind(stmt, 3));
  ALM_RETURN_IF_ERROR(stmt.Step().status());
  stmt.Reset();
  if (conn_->Changes() != 1) return Status::Ok();  // there already, or gone already
  run_ += delta > 0 ? 1 : -1;
  (delta > 0 ? added_ : removed_) += 1;
  return Status::Ok();
}

Status IndexWriter::Finish() { return in_run_ ? WriteCount() : Status::Ok(); }

Status IndexWriter::WriteCount() {
  in_run_ = false;
  int64_t run = run_;
  run_ = 0;
  if (run == 0) return Status::Ok();
  db::Statement& count = run > 0 ? add_count_ : sub_count_;
  ALM_RETURN_IF_ERROR(count.BindInt(1, run_kind_));
  ALM_RETURN_IF_ERROR(count.BindText(2, run_target_));
  ALM_RETURN_IF_ERROR(count.BindInt(3, run));
  ALM_RETURN_IF_ERROR(count.Step().status());
  count.Reset();
  if (run > 0) return Status::Ok();
  ALM_RETURN_IF_ERROR(drop_count_.BindInt(1, run_kind_));
  ALM_RETURN_IF_ERROR(drop_count_.BindText(2, run_target_));
  ALM_RETURN_IF_ERROR(drop_count_.Step().status());
  drop_count_.Reset();
  return Status::Ok();
}

Status BulkWriter::Flush() {
  if (pending_.empty()) return Status::Ok();
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  ALM_ASSIGN_OR_RETURN(IndexWriter writer, IndexWriter::Open(conn_));
  for (const Entry& entry : pending_) ALM_RETURN_IF_ERROR(writer.Change(entry, 1));
  ALM_RETURN_IF_ERROR(writer.Finish());
  written_ += writer.added();
  pending_.clear();
  return Status::Ok();
}

}  // namespace almanac::links
