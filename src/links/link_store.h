// How the backlinks index is stored. The database file itself holds what its writer keeps in
// step with each write (inside the write's transaction):
//   _almanac_link_kinds   (id -> source_table, source_column, target_table): one row per link
//                         definition, so that each link stores a small integer, not three names
//   _almanac_links_state  (source_table -> fingerprint of its link definitions)
//   _almanac_link_pending (seq -> n, changes): the link changes of each write, one row (a blob)
//                         per write, and the markers of kinds to rebuild (link_pending.h)
//   _almanac_links_id     (id): a random name of this file's index, copied into the side file
// A side file beside it, `<file>-links` (attached as `almanac_links`), holds what is derived from
// them by the merges (link_merger.h), which run beside the writer, never blocking it:
//   _almanac_links        (kind, target_key, source_pk), the primary key of a WITHOUT ROWID
//                         table: the reverse index, paged in keyset order. A kind's links are
//                         one key range, so dropping a definition is one range delete.
//   _almanac_link_counts  (kind, target_key) -> n: stored counters, so a count is one lookup
//   _almanac_links_merged (through, main_id): the pending rows merged so far (seq <= through),
//                         written in the same transaction as what they changed
// The side file can always be made again from the database file (a full rebuild). A source
// row's key is stored as an integer when it is one integer ([5] -> 5), else as the JSON array's
// text. Files written by earlier layouts (the index inside the database file) have those tables
// dropped when opened, and the index is rebuilt in the side file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "db/connection.h"
#include "db/schema.h"

namespace almanac::links {

// A source row's primary key as the index stores it.
struct StoredPk {
  bool is_int = false;
  int64_t integer = 0;
  std::string text;  // the JSON array, when not one integer

  static StoredPk FromJson(std::string_view json);
  // The key of a row of `info` (its values in column order; `rowid` for a table without a
  // declared key), as FromJson(KeyJson(...)) makes it, without the JSON when it is one integer.
  static StoredPk FromRow(const db::TableInfo* info, const std::vector<Value>& values,
                          int64_t rowid);
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

// The schema name the side file is attached under, and its path for a database file.
inline constexpr const char* kSideSchema = "almanac_links";
std::string SidePath(const std::string& db_path);
// Attaches the side file to `conn` (read-only when `conn` is), unless it is attached already.
// Outside a transaction only (SQLite's rule).
Status AttachSide(db::Connection& conn, const std::string& side_path);

// Creates the database file's tables when missing. Returns true when the file held an index
// of an earlier layout in its own tables (or pending changes of the first layout): they are
// dropped or moved, and the whole index must be rebuilt.
Result<bool> CreateMainTables(db::Connection& conn);
// The random name of the file's index (made when missing).
Result<std::string> MainId(db::Connection& conn);
// Creates the side file's tables (attached to `conn`) when missing.
Status CreateSideTables(db::Connection& conn);
// The side file's merge cursor and the name of the database file it was made from ("" when
// it has none yet).
struct SideState {
  int64_t through = 0;
  std::string main_id;
};
Result<SideState> ReadSideState(db::Connection& conn);
Status WriteSideState(db::Connection& conn, const SideState& state);
// The CREATE statement of the pending table (idempotent).
const char* PendingSchemaSql();
// Every kind, by id.
Result<std::vector<Kind>> LoadKinds(db::Connection& conn);
// The kinds whose target is `target_table`, by source table and column.
Result<std::vector<Kind>> KindsOfTarget(db::Connection& conn, const std::string& target_table);
// Removes a source table's kinds and its fingerprint (in the database file); returns the ids
// of the kinds removed (their links are dropped by the merges: DropKindLinks).
Result<std::vector<int64_t>> DropSourceKinds(db::Connection& conn, const std::string& source_table);
// Removes a kind's links and counters (in the side file).
Status DropKindLinks(db::Connection& conn, int64_t kind);
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
