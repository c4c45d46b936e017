#include "links/link_store.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <utility>

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

Status CreateLinkTables(db::Connection& conn) {
  // The first layout stored five names per link; its tables are dropped (and rebuilt by the
  // caller, since no source has a fingerprint any more).
  ALM_ASSIGN_OR_RETURN(
      db::Statement old,
      conn.Prepare({"SELECT 1 FROM pragma_table_info('_almanac_links') WHERE name = "
                    "'target_table'",
                    {}}));
  ALM_ASSIGN_OR_RETURN(bool first_layout, old.Step());
  old = db::Statement();
  if (first_layout) {
    ALM_RETURN_IF_ERROR(conn.Exec(
        "DROP TABLE IF EXISTS _almanac_links; DROP TABLE IF EXISTS _almanac_link_counts;"
        "DROP TABLE IF EXISTS _almanac_links_state; DROP TABLE IF EXISTS _almanac_link_kinds"));
  }
  return conn.Exec(
      "CREATE TABLE IF NOT EXISTS _almanac_link_kinds (id INTEGER PRIMARY KEY, source_table TEXT "
      "NOT NULL, source_column TEXT NOT NULL, target_table TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS _almanac_links (kind INTEGER NOT NULL, target_key TEXT NOT "
      "NULL, source_pk NOT NULL, PRIMARY KEY (kind, target_key, source_pk)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _almanac_link_counts (kind INTEGER NOT NULL, target_key TEXT "
      "NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, target_key)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _almanac_links_state (source_table TEXT PRIMARY KEY, "
      "fingerprint TEXT NOT NULL)");
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

Status DropSource(db::Connection& conn, const std::string& source_table) {
  ALM_ASSIGN_OR_RETURN(db::Statement kinds,
                       conn.Prepare({"SELECT id FROM _almanac_link_kinds WHERE source_table = ?",
                                     {Value::Text(source_table)}}));
  std::vector<int64_t> ids;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, kinds.Step());
    if (!row) break;
    ids.push_back(kinds.ColumnInt(0));
  }
  kinds = db::Statement();
  for (int64_t id : ids) {
    // A kind's links are one range of each primary key.
    for (const char* sql : {"DELETE FROM _almanac_links WHERE kind = ?",
                            "DELETE FROM _almanac_link_counts WHERE kind = ?",
                            "DELETE FROM _almanac_link_kinds WHERE id = ?"}) {
      ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({sql, {Value::Integer(id)}}));
      ALM_RETURN_IF_ERROR(stmt.Step().status());
    }
  }
  ALM_ASSIGN_OR_RETURN(db::Statement state,
                       conn.Prepare({"DELETE FROM _almanac_links_state WHERE source_table = ?",
                                     {Value::Text(source_table)}}));
  return state.Step().status();
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

Status BulkWriter::Add(Entry entry) {
  pending_.push_back(std::move(entry));
  if (pending_.size() >= chunk_) return Flush();
  return Status::Ok();
}

Status BulkWriter::Flush() {
  if (pending_.empty()) return Status::Ok();
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn_.Prepare({"INSERT OR IGNORE INTO _almanac_links (kind, target_key, source_pk) VALUES "
                     "(?, ?, ?)",
                     std::vector<Value>(3)}));
  ALM_ASSIGN_OR_RETURN(
      db::Statement count,
      conn_.Prepare({"INSERT INTO _almanac_link_counts (kind, target_key, n) VALUES (?, ?, ?) "
                     "ON CONFLICT DO UPDATE SET n = n + excluded.n",
                     std::vector<Value>(3)}));
  int64_t run = 0;  // links added to the current (kind, target_key)
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Entry& entry = pending_[i];
    ALM_RETURN_IF_ERROR(insert.BindInt(1, entry.kind));
    ALM_RETURN_IF_ERROR(insert.BindText(2, entry.target_key));
    ALM_RETURN_IF_ERROR(entry.source_pk.Bind(insert, 3));
    ALM_RETURN_IF_ERROR(insert.Step().status());
    insert.Reset();
    run += conn_.Changes() == 1 ? 1 : 0;
    bool last = i + 1 == pending_.size() || pending_[i + 1].kind != entry.kind ||
                pending_[i + 1].target_key != entry.target_key;
    if (!last || run == 0) continue;
    ALM_RETURN_IF_ERROR(count.BindInt(1, entry.kind));
    ALM_RETURN_IF_ERROR(count.BindText(2, entry.target_key));
    ALM_RETURN_IF_ERROR(count.BindInt(3, run));
    ALM_RETURN_IF_ERROR(count.Step().status());
    count.Reset();
    written_ += run;
    run = 0;
  }
  pending_.clear();
  return Status::Ok();
}

}  // namespace almanac::links
