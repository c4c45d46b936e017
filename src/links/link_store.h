// How the backlinks index is stored: four hidden tables of the database itself.
//   _almanac_link_kinds   (id -> source_table, source_column, target_table): one row per link
//                         definition, so that each link stores a small integer, not three names
//   _almanac_links        (kind, target_key, source_pk), the primary key of a WITHOUT ROWID
//                         table: the reverse index, paged in keyset order. A kind's links are
//                         one key range, so dropping a definition is one range delete.
//   _almanac_link_counts  (kind, target_key) -> n: stored counters, so a count is one lookup
//   _almanac_links_state  (source_table -> fingerprint of its link definitions)
//   _almanac_link_pending (seq -> n, changes): the link changes of recent writes not merged
//                         into _almanac_links and the counters yet, one row (a blob) per
//                         write (link_pending.h); readers add them
// A source row's key is stored as an integer when it is one integer ([5] -> 5), else as the
// JSON array's text. Files written by the first layout (one row of five names per link) are
// dropped and rebuilt when opened.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/connection.h"

namespace almanac::links {

// A source row's primary key as the index stores it.
struct StoredPk {
  bool is_int = false;
  int64_t integer = 0;
  std::string text;  // the JSON array, when not one integer

  static StoredPk FromJson(std::string_view json);
  static StoredPk FromColumn(const db::Statement& stmt, int column);
  std::string ToJson() const;
  Status Bind(db::Statement& stmt, int index) const;
};
// SQLite's order: integers first, by value, then text, bytewise.
bool operator<(const StoredPk& a, const StoredPk& b);
bool operator==(const StoredPk& a, const StoredPk& b);

// One link: a key of the reverse index.
struct Entry {
  int64_t kind = 0;
  std::string target_key;
  StoredPk source_pk;
};
bool operator<(const Entry& a, const Entry& b);
bool operator==(const Entry& a, const Entry& b);

struct Kind {
  int64_t id = 0;
  std::string source_table;
  std::string source_column;  // the column, or "column$.path"
  std::string target_table;
};

// Creates the tables when missing (and drops those of the first layout).
Status CreateLinkTables(db::Connection& conn);
// The CREATE statement of the pending table (idempotent).
const char* PendingSchemaSql();
// Every kind, by id.
Result<std::vector<Kind>> LoadKinds(db::Connection& conn);
// The kinds whose target is `target_table`, by source table and column.
Result<std::vector<Kind>> KindsOfTarget(db::Connection& conn, const std::string& target_table);
// Removes a source table's kinds, with their links and counts.
Status DropSource(db::Connection& conn, const std::string& source_table);
// Adds a kind (the caller removed the source's old ones) and returns its id.
Result<int64_t> AddKind(db::Connection& conn, const std::string& source_table,
                        const std::string& source_column, const std::string& target_table);

// Builds a new kind's links from a plain column (no JSON path) of a table whose key is its
// rowid (`key_sql`: "rowid" or the INTEGER PRIMARY KEY column, quoted), in one INSERT ...
// SELECT ... ORDER BY: SQLite sorts (in temporary files when large) and the index is written in
// key order; then the kind's counters, from the links. Returns the links written.
Result<int64_t> BuildPlainKind(db::Connection& conn, int64_t kind, const std::string& table_sql,
                               const std::string& column_sql, const std::string& key_sql);

// Changes the reverse index and its counters, one link at a time, in key order: Change adds
// (delta > 0) or removes (delta < 0) a link, ignoring a link already there or already gone;
// a (kind, target)'s counter is written once, when the calls move past it, or by Finish. The
// statements stay prepared while the writer lives.
class IndexWriter {
 public:
  static Result<IndexWriter> Open(db::Connection& conn);
  Status Change(const Entry& entry, int delta);
  // Writes the last counter; the writer may go on afterwards.
  Status Finish();
  int64_t added() const { return added_; }
  int64_t removed() const { return removed_; }

 private:
  explicit IndexWriter(db::Connection& conn) : conn_(&conn) {}
  Status WriteCount();

  db::Connection* conn_;
  db::Statement insert_;
  db::Statement remove_;
  db::Statement add_count_;
  db::Statement sub_count_;
  db::Statement drop_count_;
  bool in_run_ = false;  // run_kind_/run_target_ name a (kind, target) being changed
  int64_t run_kind_ = 0;
  std::string run_target_;
  int64_t run_ = 0;  // the change of its counter so far
  int64_t added_ = 0;
  int64_t removed_ = 0;
};

// Writes links in bulk: `Add` collects them; `Flush` (also called when enough are waiting)
// sorts them, inserts those not yet stored, in key order, and adds them to the counters.
class BulkWriter {
 public:
  explicit BulkWriter(db::Connection& conn, size_t chunk = size_t{1} << 22)
      : conn_(conn), chunk_(chunk) {}
  Status Add(Entry entry);
  Status Flush();
  int64_t written() const { return written_; }

 private:
  db::Connection& conn_;
  size_t chunk_;
  std::vector<Entry> pending_;
  int64_t written_ = 0;
};

}  // namespace almanac::links
