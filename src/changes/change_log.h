// ChangeLog: the change capture of one database. It watches the database's WriteQueue
// (db::WriteObserver) and SQLite's pre-update hook on the writer connection, so every row
// change made by a queued job — the JSON API, the forms, canned writes — is logged inside the
// job's own savepoint: committed together with the change or not at all, and numbered by a
// gap-free, increasing `seq`. A job's events are one row of the hidden `_almanac_change_batches`
// table, in a compact binary form (change_codec.h), rendered as JSON only when read. Commits by
// other processes cannot be hooked: they are noticed through PRAGMA data_version and logged as
// one `resync` event. Committed batches are also kept in memory (the newest few thousand events)
// and waiters are woken on each commit, so live subscribers read no SQL. A log of the first
// layout (one `_almanac_changes` row per event) is moved into batches when attached.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "changes/change_codec.h"
#include "changes/change_event.h"
#include "changes/change_options.h"
#include "changes/row_sink.h"
#include "core/by_name.h"
#include "core/result.h"
#include "core/value.h"
#include "db/database.h"
#include "db/write_queue.h"

struct sqlite3;

namespace almanac::changes {

class ChangeLog : public db::WriteObserver {
 public:
  // Creates the log table when missing and starts capturing. `db` must be mutable, not a
  // memory database, and outlive the ChangeLog.
  // `sinks` (kept alive by the caller) see every row change too.
  static Result<std::unique_ptr<ChangeLog>> Attach(db::Database& db, ChangeLogOptions options,
                                                   std::vector<RowSink*> sinks = {});
  // Stops capturing (waits for the write in progress) and ends every waiter.
  ~ChangeLog() override;
  ChangeLog(const ChangeLog&) = delete;
  ChangeLog& operator=(const ChangeLog&) = delete;

  const ChangeLogOptions& options() const { return options_; }
  db::Database& database() const { return db_; }
  // The seq of the newest committed event (0 when none).
  int64_t last_seq() const;

  using EventPtr = std::shared_ptr<const ChangeEvent>;
  // Appends the committed events after `after` (at most `limit`) kept in memory, and returns
  // true; false when some of them are no longer in memory (read them with ReadChanges).
  bool Recent(int64_t after, size_t limit, std::vector<EventPtr>& out) const;

  // Calls `wake` once: as soon as an event after `after` is committed (on the writer thread,
  // so `wake` must be quick and must not write), at the next heartbeat or when the log stops
  // (on the log's own thread; then `stopping` is true). A waiter holds no thread while it waits.
  using Wake = std::function<void(bool stopping)>;
  void WaitAfter(int64_t after, Wake wake);
  size_t waiters() const;
  // Ends every waiter now (the server is shutting down); later waits are ended at once.
  void Stop();

  // While it lives, the writer connection's row changes are not captured, nor seen by SQLite's
  // pre-update hook at all (it costs even when the log ignores the table): for a sink's own
  // bulk writes to its hidden tables (the links' merges).
  class CaptureOff {
   public:
    explicit CaptureOff(db::Connection& conn);
    ~CaptureOff();
    CaptureOff(const CaptureOff&) = delete;
    CaptureOff& operator=(const CaptureOff&) = delete;

   private:
    sqlite3* handle_;
    void* log_;  // the hook's ChangeLog, restored at the end (nullptr: none was set)
  };

  // db::WriteObserver, on the writer thread.
  Status OnBegin(db::WriteContext& ctx) override;
  void OnJobStart() override;
  Status OnJobSucceeded(db::WriteContext& ctx) override;
  void OnJobRolledBack() override;
  void OnCommit() override;
  void OnRollback() override;

 private:
  // The events of one job as stored, rendered once when first read from memory.
  struct Batch {
    int64_t first_seq = 0;
    int64_t count = 0;
    int64_t time_ms = 0;
    std::string blob;
    mutable std::once_flag rendered;
    mutable std::vector<EventPtr> events;  // after `rendered`; empty if the blob was unreadable
  };
  using BatchPtr = std::shared_ptr<const Batch>;

  struct Captured {
    int op = 0;  // SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE
    std::string table;
    int64_t old_rowid = 0;
    int64_t new_rowid = 0;
    std::vector<Value> old_values;
    std::vector<Value> new_values;
  };

  ChangeLog(db::Database& db, ChangeLogOptions options, std::vector<RowSink*> sinks);
  static void PreUpdate(void* self, sqlite3* handle, int op, const char* database,
                        const char* table, long long old_rowid,  // NOLINT(google-runtime-int)
                        long long new_rowid);                    // sqlite3_int64
  // Writes the batch's events with the next seqs (one row), and empties it.
  Status Append(db::Connection& conn, BatchEncoder& batch);
  Status Prune(db::Connection& conn);
  void Loop();

  db::Database& db_;
  ChangeLogOptions options_;
  std::vector<RowSink*> sinks_;

  // Writer thread only.
  bool capturing_ = false;
  std::vector<Captured> captured_;  // slots: the running job's row changes are the first
  size_t captured_count_ = 0;       // captured_count_ of them
  size_t captured_bytes_ = 0;       // text and blobs copied into the slots since last freed
  std::vector<BatchPtr> pending_;   // appended in this transaction, not committed
  size_t job_pending_start_ = 0;    // pending_ size when the running job started
  int64_t next_seq_ = 1;
  int64_t job_start_seq_ = 1;
  int64_t committed_next_seq_ = 1;
  int64_t committed_data_version_ = -1;
  int64_t seen_data_version_ = -1;
  int64_t last_prune_ms_ = 0;

  // Shared with readers and the log's thread.
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<BatchPtr> recent_;
  int64_t recent_events_ = 0;  // the events of recent_
  int64_t last_seq_ = 0;
  std::multimap<int64_t, Wake> waiters_;  // by the seq they wait after
  bool stopping_ = false;
  std::thread thread_;
};

// The change logs of an instance, by database name.
class ChangeLogs : public ByName<ChangeLog> {
 public:
  void StopAll() {
    ForEach([](ChangeLog& log) { log.Stop(); });
  }
};

}  // namespace almanac::changes
