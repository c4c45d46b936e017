// Store: the SQLite tables git-history writes, created and grown exactly as its sqlite-utils
// calls create them (same CREATE TABLE text, column order, types, indexes and view), so
// existing queries keep their meaning. For a namespace NS:
//   namespaces(id, name)                 commits(id, namespace, hash, commit_at)
//   NS        the items: every version's rows without --id; with --id one row per item
//             (_id, _item_id, latest values..., _commit)
//   NS_version(_id, _item, _version, _commit, changed values..., _item_full_hash)
//   columns(id, namespace, name)         NS_changed(item_version, column)
//   view NS_version_detail, and (Almanac's own) NS_removed(_id, _item, _commit,
//   _restored_commit): when an item left the file, and when it came back.
// Writes happen inside Begin()/Commit(); each git commit's writes sit in a savepoint so a
// failure can take back exactly that commit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "db/connection.h"
#include "history/python_json.h"

namespace almanac::history {

// One row to write: columns in order, their values, and the type sqlite-utils would give each
// column from its value ("INTEGER", "REAL", "TEXT", or "" for a null).
struct Row {
  std::vector<std::string> columns;
  std::vector<Value> values;
  std::vector<std::string_view> types;
  void Add(std::string column, Value value, std::string_view type) {
    columns.push_back(std::move(column));
    values.push_back(std::move(value));
    types.push_back(type);
  }
};

// An item as the NS table holds it: its row id, latest version and last full hash (absent
// when the table has no _item_full_hash, as with --full-versions). `seen` is the importer's
// mark of the last version that held the item.
struct StoredItem {
  int64_t pk = 0;
  int64_t version = 0;
  HexDigest hash{};
  bool has_hash = false;
  uint64_t seen = 0;
};
using StoredItems = std::unordered_map<HexDigest, StoredItem, HexDigestHash>;

// The columns of one table, in order, with SQLite's ASCII-case-insensitive lookup.
class TableColumns {
 public:
  bool exists() const { return exists_; }
  bool Has(std::string_view name) const;
  const std::vector<std::string>& names() const { return names_; }
  void Created(std::vector<std::string> names);
  void Added(const std::string& name);

 private:
  bool exists_ = false;
  std::vector<std::string> names_;
  std::unordered_set<std::string> folded_;
};

class Store {
 public:
  // Opens (creating when missing) the database at `path` for namespace `ns`, and registers
  // the namespace. `wal` switches the file to WAL mode.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, std::string ns, bool wal);

  Status Begin();
  Status Commit();
  Status Savepoint();
  Status Release();
  Status RollbackToSavepoint();

  // The namespace's imported commits, hash -> commits.id.
  Result<std::unordered_map<std::string, int64_t>> KnownCommits();
  // The newest imported commit of the namespace (largest commits.id), or "".
  Result<std::string> NewestCommit();
  // The namespace's commits from newest to oldest (for finding the last importable version).
  Result<std::vector<std::string>> CommitsNewestFirst();
  // commits.id for the commit, inserting it when new.
  Result<int64_t> AddCommit(const std::string& hash, const std::string& commit_at);

  // Without --id: appends one version's rows (each ends with _commit) as sqlite-utils'
  // insert_all does, batch by batch.
  Status AppendRows(const std::vector<Row>& rows);

  // With --id. The items the NS table holds, by _item_id.
  Result<StoredItems> LoadItems();
  // The stored row of an item: every column of the NS table with its value.
  Result<Row> ReadItem(int64_t pk);
  // Inserts an item row (its columns end with _item_id and _commit); returns its _id.
  Result<int64_t> InsertItem(const Row& row);
  Status UpdateItem(int64_t pk, const Row& row);
  // Inserts an NS_version row (data columns first; _item, _version, _commit and, unless
  // full versions, _item_full_hash after them). Returns its _id.
  Result<int64_t> InsertVersion(const Row& row);
  // Records which columns changed in a version (NS_changed, looking up `columns` ids).
  Status RecordChanged(int64_t version_id, const std::vector<std::string>& columns);

  bool has_removed_table() const { return removed_.exists(); }
  // Open removals: item _id -> NS_removed._id of the removal not yet followed by a return.
  Result<std::unordered_map<int64_t, int64_t>> OpenRemovals();
  // Records that an item left the file at `commit_id`; returns the NS_removed._id.
  Result<int64_t> RecordRemoval(int64_t item_pk, int64_t commit_id);
  // Records that the item of removal `removal_id` was back in the file at `commit_id`.
  Status RecordRestored(int64_t removal_id, int64_t commit_id);

  // Creates what git-history creates at the end of a run: the NS_version_detail view and the
  // index on NS_version._item (and NS_removed when versions exist).
  Status Finish();

  const std::string& ns() const { return ns_; }
  // Whether the NS table exists, and whether it was written with --id (has _item_id).
  bool has_item_table() const { return items_.exists(); }
  bool item_table_has_ids() const { return items_.Has("_item_id"); }
  db::Connection& connection() { return *conn_; }

 private:
  Store(std::unique_ptr<db::Connection> conn, std::string ns);
  Status Run(const sql::Query& query);
  Result<TableColumns> LoadColumns(const std::string& table);
  // sqlite-utils' lookup(): the id of the row with these values, inserted when missing;
  // the table (id INTEGER PRIMARY KEY + the columns) and its unique index made on first use.
  Result<int64_t> Lookup(const std::string& table, TableColumns& columns,
                         const std::vector<std::pair<std::string, Value>>& key,
                         const std::vector<std::pair<std::string, Value>>& extra,
                         const std::vector<std::pair<std::string, std::string>>& references);
  // ALTER TABLE ... ADD COLUMN for each column of `row` the table lacks, in row order.
  Status AddMissingColumns(const std::string& table, TableColumns& columns, const Row& row);
  Status CreateIndex(const std::string& table, const std::vector<std::string>& columns,
                     bool unique);
  Status EnsureRemovedTable();
  Result<int64_t> ColumnId(const std::string& name);
  Result<int64_t> InsertRow(const std::string& table, const Row& row);

  std::unique_ptr<db::Connection> conn_;
  std::string ns_;
  std::string version_table_, changed_table_, removed_table_;
  int64_t namespace_id_ = 0;
  TableColumns namespaces_, commits_, columns_, items_, versions_, changed_, removed_;
  std::unordered_map<std::string, int64_t> column_ids_;
};

}  // namespace almanac::history
