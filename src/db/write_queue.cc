#include "db/write_queue.h"

#include <exception>
#include <future>
#include <utility>
#include <vector>

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "db/disk_quota.h"

namespace almanac::db {

Result<std::shared_ptr<const Schema>> WriteContext::CurrentSchema() {
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn_.Prepare({"PRAGMA schema_version", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  int64_t version = row ? stmt.ColumnInt(0) : 0;
  if (schema_ && schema_->version() == version) return schema_;
  ALM_ASSIGN_OR_RETURN(schema_, Schema::Load(conn_, version));
  return schema_;
}

WriteQueue::WriteQueue(Connection& writer, std::string name, WriteQueueOptions options)
    : writer_(writer), name_(std::move(name)), options_(options), context_(writer) {
  thread_ = std::thread([this] { Loop(); });
}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WriteQueue::Submit(Work work, Done done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{std::move(work), std::move(done)});
  }
  ready_.notify_one();
}

Status WriteQueue::Run(Work work) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> outcome = promise->get_future();
  Submit(std::move(work), [promise](const Status& status) { promise->set_value(status); });
  return outcome.get();
}

uint64_t WriteQueue::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

void WriteQueue::Loop() noexcept {
  (void)pthread_setname_np(pthread_self(), "writer");  // as top and perf show it
  for (;;) {
    std::deque<Job> group;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      while (!queue_.empty() && group.size() < options_.max_group) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunGroup(group);
  }
}

Status WriteQueue::RunOne(Job& job) {
  try {
    return job.work(context_);
  } catch (const std::exception& e) {
    spdlog::error("write job on {} threw: {}", name_, e.what());
    return Internal("Internal error in write");
  }
}

namespace {

// PRAGMA journal_mode=WAL on a file database that is not in WAL mode yet; memory databases
// (no file name) are left alone. Checked before every transaction: a cached pragma, cheap.
Status SwitchToWal(Connection& writer) {
  const char* file = sqlite3_db_filename(writer.handle(), "main");
  if (!file || !*file) return Status::Ok();
  ALM_ASSIGN_OR_RETURN(Statement mode, writer.Prepare({"PRAGMA journal_mode", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, mode.Step());
  if (row && mode.ColumnText(0) == "wal") return Status::Ok();
  mode = Statement();
  return writer.Exec("PRAGMA journal_mode=WAL");
}

}  // namespace

void WriteQueue::RunGroup(std::deque<Job>& group) {
  // Jobs leave `pending` as soon as their outcome is known. A job that takes the whole
  // transaction down with it (ON CONFLICT ROLLBACK, I/O errors) is failed on its own and the
  // others run again in a fresh transaction.
  std::vector<Job*> pending;
  for (Job& job : group) pending.push_back(&job);
  auto finish = [](Job& job, const Status& status) {
    try {
      job.done(status);
    } catch (const std::exception& e) {
      spdlog::error("write completion threw: {}", e.what());
    }
  };
  // Jobs rolled back to their savepoint are answered once the transaction has ended, so that
  // whoever waits on them never finds the database still locked by it (shared-cache memory
  // databases report SQLITE_LOCKED to readers while a write transaction is open).
  std::vector<std::pair<Job*, Status>> failed;
  auto finish_failed = [&] {
    for (auto& [job, status] : failed) finish(*job, status);
    failed.clear();
  };
  // Serving never changes a file until something writes: a file database switches to WAL
  // (readers beside the writer) before its first transaction, not when it is opened.
  // Then a disk quota, if any, is applied to what this transaction may add.
  Status ready = SwitchToWal(writer_);
  if (ready.ok()) ready = ApplyDiskQuota(writer_);
  if (!ready.ok()) {
    for (Job* job : pending) finish(*job, ready);
    return;
  }
  while (!pending.empty()) {
    Status begin = writer_.Exec("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (Job* job : pending) finish(*job, begin);
      return;
    }
    if (observer_) {
      Status observed = observer_->OnBegin(context_);
      if (!observed.ok()) spdlog::error("write observer on {}: {}", name_, observed.message());
    }
    std::vector<Job*> succeeded;
    bool restart = false;
    for (size_t i = 0; i < pending.size(); ++i) {
      Job& job = *pending[i];
      Status status = writer_.Exec("SAVEPOINT almanac_job");
      if (status.ok()) {
        if (observer_) observer_->OnJobStart();
        status = RunOne(job);
        if (status.ok() && observer_ && sqlite3_get_autocommit(writer_.handle()) == 0) {
          status = observer_->OnJobSucceeded(context_);
        }
      }
      if (sqlite3_get_autocommit(writer_.handle()) != 0) {
        // The transaction is gone: everything before this job was rolled back too.
        context_.InvalidateSchema();
        if (observer_) observer_->OnJobRolledBack();
        finish(job, status.ok() ? Internal("The write transaction was rolled back") : status);
        std::vector<Job*> rest(succeeded);
        rest.insert(rest.end(), pending.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    pending.end());
        pending = std::move(rest);
        restart = true;
        break;
      }
      if (status.ok()) {
        status = writer_.Exec("RELEASE almanac_job");
        if (status.ok()) {
          succeeded.push_back(&job);
          continue;
        }
      }
      (void)writer_.Exec("ROLLBACK TO almanac_job");
      (void)writer_.Exec("RELEASE almanac_job");
      context_.InvalidateSchema();
      if (observer_) observer_->OnJobRolledBack();
      failed.emplace_back(&job, status);
    }
    if (restart) {
      (void)writer_.Exec("ROLLBACK");
      if (observer_) observer_->OnRollback();
      finish_failed();
      continue;
    }
    Status commit = writer_.Exec("COMMIT");
    if (!commit.ok()) {
      (void)writer_.Exec("ROLLBACK");
      if (observer_) observer_->OnRollback();
      context_.InvalidateSchema();
      finish_failed();
      for (Job* job : succeeded) finish(*job, commit);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      ++commits_;
    }
    if (observer_) observer_->OnCommit();
    finish_failed();
    for (Job* job : succeeded) finish(*job, Status::Ok());
    return;
  }
}

}  // namespace almanac::db
