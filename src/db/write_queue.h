// WriteQueue: the single writer of one database. A dedicated thread takes queued write jobs and
// runs them on the writer connection. The jobs waiting when the thread becomes free are grouped
// into one transaction (group commit); each job runs inside its own SAVEPOINT, so a job that
// fails rolls back only itself. A job's completion is called only after the COMMIT of its
// transaction has returned — with synchronous=FULL, acknowledged means on disk — or with the
// Status that stopped it, likewise once the transaction has ended. Completions run on the
// writer thread and must be quick.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "db/connection.h"
#include "db/schema.h"

namespace almanac::db {

// What a job sees while it runs: the writer connection, inside the group's transaction.
class WriteContext {
 public:
  explicit WriteContext(Connection& conn) : conn_(conn) {}
  Connection& conn() { return conn_; }
  // The schema as this transaction sees it, including earlier jobs' uncommitted changes.
  Result<std::shared_ptr<const Schema>> CurrentSchema();
  // Forgets the cached schema (after a rollback the version number can be reused).
  void InvalidateSchema() { schema_.reset(); }

 private:
  Connection& conn_;
  std::shared_ptr<const Schema> schema_;
};

// Sees every write transaction of a queue, on the writer thread (the change log uses it to record
// each job's row changes in the same transaction). Each call must be quick.
class WriteObserver {
 public:
  virtual ~WriteObserver() = default;
  // After BEGIN, before the group's first job. A failure is logged; the group goes on.
  virtual Status OnBegin(WriteContext& ctx) = 0;
  // Before a job's work runs, inside its savepoint.
  virtual void OnJobStart() = 0;
  // After a job's work succeeded, still inside its savepoint: a non-ok Status rolls it back.
  virtual Status OnJobSucceeded(WriteContext& ctx) = 0;
  // The job was rolled back to its savepoint (or with the whole transaction).
  virtual void OnJobRolledBack() = 0;
  // After COMMIT returned.
  virtual void OnCommit() = 0;
  // The transaction was rolled back.
  virtual void OnRollback() = 0;
};

struct WriteQueueOptions {
  size_t max_group = 64;  // most jobs committed in one transaction
};

class WriteQueue {
 public:
  // Runs inside the job's savepoint. A non-ok Status rolls the job back.
  using Work = std::function<Status(WriteContext&)>;
  // Called once: ok after COMMIT returned, or the job's (or the transaction's) error.
  using Done = std::function<void(const Status&)>;

  WriteQueue(Connection& writer, std::string name, WriteQueueOptions options = {});
  // Runs the jobs still queued, then joins the thread.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  void Submit(Work work, Done done);
  // Submit and wait for the outcome. Never call from the writer thread (it would wait on itself).
  Status Run(Work work);

  // Installs (or, with nullptr, removes) the observer; the caller keeps it alive while set. Call
  // from a job (on the writer thread), so no transaction is in flight half-observed.
  void SetObserver(WriteObserver* observer) { observer_ = observer; }

  bool OnWriterThread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // Transactions committed so far (for tests of grouping).
  uint64_t commits() const;

 private:
  struct Job {
    Work work;
    Done done;
  };
  void Loop() noexcept;
  void RunGroup(std::deque<Job>& group);
  Status RunOne(Job& job);

  Connection& writer_;
  std::string name_;
  WriteQueueOptions options_;
  WriteContext context_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  uint64_t commits_ = 0;
  WriteObserver* observer_ = nullptr;  // only used on the writer thread
  std::thread thread_;
};

}  // namespace almanac::db
