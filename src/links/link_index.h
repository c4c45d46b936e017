// LinkIndex: the backlinks index of one database, kept in hidden tables of the database itself
// (link_store.h) and maintained inside each write's savepoint (a changes::RowSink fed by the
// ChangeLog's capture), so it commits and rolls back with the rows.
// A row change removes exactly the links its old values made and adds those of its new values:
// the job's changes are collected in a vector and, at the end of the job, sorted, netted and
// appended to the pending table as one row (link_pending.h); once `merge_every` changes wait there,
// a write of its own merges them into the index and its counters. A job with that many changes or
// more merges what waits and writes its own changes to the index directly, in key order. A schema
// change (create, alter, rename, drop, or a table dropped and made again) or a config change
// rebuilds the index of the source tables whose definitions changed; a write by another process
// rebuilds everything.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "changes/row_sink.h"
#include "core/by_name.h"
#include "core/result.h"
#include "db/connection.h"
#include "db/database.h"
#include "db/schema.h"
#include "links/link_defs.h"
#include "links/link_pending.h"
#include "links/link_store.h"

namespace almanac::links {

// Rebuilds the whole index from the rows (inside the caller's transaction). Returns the
// number of links.
Result<int64_t> RebuildAll(db::Connection& conn, const db::Schema& schema,
                           const LinkOptions& options);

struct VerifyReport {
  int64_t expected = 0;  // links the rows make
  int64_t indexed = 0;   // links in the index
  int64_t missing = 0;   // made by the rows, not in the index
  int64_t extra = 0;     // in the index, not made by the rows
  int64_t bad_counts = 0;
  std::vector<std::string> examples;  // a few differences, in words
  bool ok() const { return missing == 0 && extra == 0 && bad_counts == 0; }
};
// Recounts the links from scratch and compares them with the index and its counters.
Result<VerifyReport> Verify(db::Connection& conn, const db::Schema& schema,
                            const LinkOptions& options);

class LinkIndex : public changes::RowSink {
 public:
  // Creates the tables and brings the index up to date (a job on `db`'s write queue).
  static Result<std::unique_ptr<LinkIndex>> Open(db::Database& db, LinkOptions options);
  // Stops the idle merges, and waits for a merge still queued (it uses this object).
  ~LinkIndex() override;
  LinkIndex(const LinkIndex&) = delete;
  LinkIndex& operator=(const LinkIndex&) = delete;
  // Merges the pending changes now, in a write of its own (not from the writer thread).
  Status MergeNow();

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
  LinkIndex(db::Database& db, LinkOptions options) : db_(db), options_(std::move(options)) {}
  // Rebuilds the source tables whose definitions differ from the stored ones (all of them
  // when `everything`, and those of `stale_tables_`), then reloads the definitions.
  Status Reconcile(db::WriteContext& ctx, bool everything);
  // Appends the job's netted link changes to the pending table, or applies them to the index
  // when there are many.
  Status FlushJob(db::Connection& conn);
  // Merges the pending changes (in the running job).
  Status Merge(db::Connection& conn);
  // Puts a merge job on the write queue, unless one is there.
  void QueueMerge();
  // The idle merges' thread: a merge once no write has committed for merge_when_idle_ms.
  void IdleLoop();

  db::Database& db_;
  LinkOptions options_;
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
  LinkChanges job_links_;  // the running job's link changes, in the order made (netted at
                           // the end of the job)
  // Shared with the idle thread.
  std::atomic<int64_t> pending_rows_{0};    // in the pending table, about (a rollback may leave
                                            // it high)
  std::atomic<bool> merge_queued_{false};   // a merge job is on the write queue
  std::atomic<int64_t> last_commit_ms_{0};  // steady clock
  std::mutex idle_mutex_;
  std::condition_variable idle_wakeup_;
  bool stopping_ = false;  // under idle_mutex_
  std::thread idle_thread_;
  std::vector<Entry> before_;  // scratch, reused row after row
  std::vector<Entry> after_;
};

// The link indexes of an instance, by database name.
class LinkIndexes : public ByName<LinkIndex> {};

}  // namespace almanac::links
