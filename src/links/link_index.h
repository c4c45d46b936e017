// LinkIndex: the backlinks index of one database. Its write path runs inside each write's
// savepoint (a changes::RowSink fed by the ChangeLog's capture): a row change removes exactly
// the links its old values made and adds those of its new values; the job's changes are
// collected and appended to the pending table as one row (link_pending.h), so they commit and
// roll back with the rows. The keyed index and its counters live in a side file
// (link_store.h) that a LinkMerger fills from the pending rows beside the writer, never holding
// it up (link_merger.h); readers add the rows it has not merged yet (link_reader.h).
// A schema change (create, alter, rename, drop, or a table dropped and made again) or a config
// change replaces the kinds of the source tables whose definitions changed and appends a marker
// for them: the merger builds their links again from the rows. A write by another process
// rebuilds everything, and so does a side file that does not match the database file (missing,
// another file's, or behind what was deleted) when the index opens.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "changes/row_sink.h"
#include "core/by_name.h"
#include "core/result.h"
#include "db/connection.h"
#include "db/database.h"
#include "db/schema.h"
#include "links/link_defs.h"
#include "links/link_merger.h"
#include "links/link_pending.h"
#include "links/link_store.h"

namespace almanac::links {

struct VerifyReport {
  int64_t expected = 0;  // links the rows make
  int64_t indexed = 0;   // links in the index
  int64_t missing = 0;   // made by the rows, not in the index
  int64_t extra = 0;     // in the index, not made by the rows
  int64_t bad_counts = 0;
  int64_t rebuilds_pending = 0;  // kinds being built again (not compared)
  bool stale = false;  // the side file does not match the database file (nothing compared)
  std::vector<std::string> examples;  // a few differences, in words
  bool ok() const { return !stale && missing == 0 && extra == 0 && bad_counts == 0; }
};
// Recounts the links from scratch and compares them with the index and its counters. `conn`
// reads the database file with the side file attached (AttachSide).
Result<VerifyReport> Verify(db::Connection& conn, const db::Schema& schema,
                            const LinkOptions& options);

class LinkIndex : public changes::RowSink {
 public:
  // Creates the tables, opens the side file and brings the index up to date (a job on `db`'s
  // write queue, then the merges). `rebuild`: build the whole index again from the rows.
  static Result<std::unique_ptr<LinkIndex>> Open(db::Database& db, LinkOptions options,
                                                 bool rebuild = false);
  // Stops the merges (after the one in progress).
  ~LinkIndex() override;
  LinkIndex(const LinkIndex&) = delete;
  LinkIndex& operator=(const LinkIndex&) = delete;
  // Merges what was committed so far, and waits for it.
  Status MergeNow();
  // For readers: returns once the pending rows through `seq` are merged (link_reader.h), and
  // the seq merged through so far.
  Status WaitMerged(int64_t seq) const;
  int64_t merged_through() const { return merger_->merged_through(); }
  // The side file, for readers to attach.
  const std::string& side_path() const { return side_path_; }

  db::Database& database() const { return db_; }
  const LinkOptions& options() const { return options_; }

  bool Wants(std::string_view table, const std::vector<bool>*& columns) override;
  Status OnRowChange(db::Connection& conn, const changes::RowChange& change) override;
  Status AfterJob(db::WriteContext& ctx) override;
  Status OnResync(db::WriteContext& ctx) override;
  void OnRolledBack() override;
  void OnCommitted() override;

 private:
  // A link definition with its kind's id.
  struct Def {
    LinkDef def;
    int64_t kind = 0;
  };
  LinkIndex(db::Database& db, LinkOptions options)
      : db_(db), options_(std::move(options)), side_path_(SidePath(db.path())) {}
  // Replaces the kinds of the source tables whose definitions differ from the stored ones (all
  // of them when `everything`, and those of `stale_tables_`), appends a marker for the merges
  // to build them, then reloads the definitions.
  Status Reconcile(db::WriteContext& ctx, bool everything);
  // Appends the job's link changes to the pending table.
  Status FlushJob(db::Connection& conn);

  db::Database& db_;
  LinkOptions options_;
  std::string side_path_;
  std::unique_ptr<LinkMerger> merger_;
  // Writer thread only.
  int64_t checked_version_ = -1;                            // schema version last reconciled
  std::unordered_map<std::string, std::vector<Def>> defs_;  // by source table, at that version
  // By source table: the columns its definitions and its key read (the rest is not captured).
  std::unordered_map<std::string, std::vector<bool>> columns_;
  const std::pair<const std::string, std::vector<bool>>* last_wanted_ = nullptr;  // in columns_
  // A reconcile not committed yet: a rollback undoes it, and the kind ids of defs_ with it.
  bool reconciled_uncommitted_ = false;
  // defs_ may name kinds that are gone: row changes only note their table, to rebuild it.
  bool defs_stale_ = false;
  std::set<std::string> stale_tables_;
  LinkChanges job_links_;        // the running job's link changes, in the order made
  int64_t txn_changes_ = 0;      // appended in the open transaction
  bool txn_marker_ = false;      // a marker appended in the open transaction
  int64_t deleted_through_ = 0;  // merged pending rows deleted (seq <= this), committed or not
  int64_t committed_deleted_through_ = 0;
  std::vector<Entry> before_;  // scratch, reused row after row
  std::vector<Entry> after_;
  std::vector<std::string> keys_;
};

// The link indexes of an instance, by database name.
class LinkIndexes : public ByName<LinkIndex> {};

}  // namespace almanac::links
