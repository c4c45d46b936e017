#include "changes/change_log.h"

// The pre-update hook is compiled into Debian's libsqlite3, but sqlite3.h declares it only
// when asked to.
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <algorithm>
#include <chrono>
#include <cstring>
#include <span>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "changes/change_reader.h"
#include "db/sqlite_value.h"
#include "format/json_writer.h"

namespace almanac::changes {
namespace {

constexpr size_t kRecentEvents = 4096;
// The capture slots kept between jobs (a job's rows beyond them are captured in new ones), and
// the text they may have taken in since they were last freed: their buffers hold at most
// about twice that.
constexpr size_t kKeptCaptureSlots = 4096;
constexpr size_t kKeptCaptureBytes = size_t{4} << 20;
constexpr int64_t kAgePruneEveryMs = 10'000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> DataVersion(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({"PRAGMA data_version", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : int64_t{-1};
}

}  // namespace

ChangeLog::ChangeLog(db::Database& db, ChangeLogOptions options, std::vector<RowSink*> sinks)
    : db_(db), options_(std::move(options)), sinks_(std::move(sinks)) {}

Result<std::unique_ptr<ChangeLog>> ChangeLog::Attach(db::Database& db, ChangeLogOptions options,
                                                     std::vector<RowSink*> sinks) {
  if (!db.write_queue() || db.is_memory()) {
    return InvalidArgument("The change log needs a writable database file, and " + db.name() +
                           " is not one");
  }
  std::unique_ptr<ChangeLog> log(new ChangeLog(db, std::move(options), std::move(sinks)));
  ChangeLog* self = log.get();
  Status attached = db.write_queue()->Run([self](db::WriteContext& ctx) -> Status {
    db::Connection& conn = ctx.conn();
    if (self->options_.events) {
      ALM_RETURN_IF_ERROR(conn.Exec(ChangeLogSchemaSql()));
      ALM_ASSIGN_OR_RETURN(int64_t moved, MigrateFirstLayout(conn));
      if (moved > 0) {
        spdlog::info("change log of {}: moved {} events to the batch layout", self->db_.name(),
                     moved);
      }
    }
    ALM_ASSIGN_OR_RETURN(int64_t last, LastSeq(conn));
    ALM_ASSIGN_OR_RETURN(int64_t version, DataVersion(conn));
    self->next_seq_ = self->committed_next_seq_ = self->job_start_seq_ = last + 1;
    self->committed_data_version_ = self->seen_data_version_ = version;
    {
      std::lock_guard lock(self->mutex_);
      self->last_seq_ = last;
    }
    sqlite3_preupdate_hook(conn.handle(), &ChangeLog::PreUpdate, self);
    self->db_.write_queue()->SetObserver(self);
    return Status::Ok();
  });
  if (!attached.ok()) return attached;
  log->thread_ = std::thread([self] { self->Loop(); });
  return log;
}

ChangeLog::~ChangeLog() {
  Stop();
  if (thread_.joinable()) thread_.join();
  if (db::WriteQueue* queue = db_.write_queue()) {
    (void)queue->Run([this, queue](db::WriteContext& ctx) {
      sqlite3_preupdate_hook(ctx.conn().handle(), nullptr, nullptr);
      queue->SetObserver(nullptr);
      capturing_ = false;
      return Status::Ok();
    });
  }
}

ChangeLog::CaptureOff::CaptureOff(db::Connection& conn)
    : handle_(conn.handle()), log_(sqlite3_preupdate_hook(handle_, nullptr, nullptr)) {}

ChangeLog::CaptureOff::~CaptureOff() {
  if (log_) sqlite3_preupdate_hook(handle_, &ChangeLog::PreUpdate, log_);
}

int64_t ChangeLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

bool ChangeLog::Recent(int64_t after, size_t limit, std::vector<EventPtr>& out) const {
  std::vector<BatchPtr> batches;
  {
    std::lock_guard lock(mutex_);
    if (after >= last_seq_) return true;
    if (recent_.empty() || recent_.front()->first_seq > after + 1) return false;
    // The batch holding after + 1: the last one starting at or before it.
    auto it = std::upper_bound(recent_.begin(), recent_.end(), after + 1,
                               [](int64_t seq, const BatchPtr& b) { return seq < b->first_seq; });
    size_t events = 0;
    for (--it; it != recent_.end() && events < limit; ++it) {
      batches.push_back(*it);
      events += static_cast<size_t>((*it)->count);
    }
  }
  // Rendered outside the lock, once per batch whoever reads it first.
  for (const BatchPtr& batch : batches) {
    std::call_once(batch->rendered, [&batch] {
      std::vector<ChangeEvent> events;
      if (!DecodeBatch(batch->first_seq, batch->time_ms, batch->blob, 0, std::nullopt,
                       static_cast<size_t>(batch->count), events)
               .ok()) {
        return;
      }
      batch->events.reserve(events.size());
      for (ChangeEvent& event : events) {
        batch->events.push_back(std::make_shared<const ChangeEvent>(std::move(event)));
      }
    });
    if (static_cast<int64_t>(batch->events.size()) != batch->count) return false;
    for (const EventPtr& event : batch->events) {
      if (out.size() >= limit) return true;
      if (event->seq > after) out.push_back(event);
    }
  }
  return true;
}

void ChangeLog::WaitAfter(int64_t after, Wake wake) {
  bool stopping = false;
  {
    std::lock_guard lock(mutex_);
    stopping = stopping_;
    if (!stopping && after >= last_seq_) {
      waiters_.emplace(after, std::move(wake));
      return;
    }
  }
  wake(stopping);
}

size_t ChangeLog::waiters() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void ChangeLog::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
}

void ChangeLog::Loop() {
  using SteadyClock = std::chrono::steady_clock;
  std::unique_ptr<db::Connection> monitor;
  int64_t monitor_version = -1;
  auto next_heartbeat = SteadyClock::now() + options_.heartbeat;
  auto next_poll = SteadyClock::now() + options_.outside_poll;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Commits wake their waiters themselves (OnCommit): this thread beats and polls.
    wakeup_.wait_until(lock, std::min(next_heartbeat, next_poll), [this] { return stopping_; });
    if (stopping_) break;
    auto now = SteadyClock::now();
    bool heartbeat = now >= next_heartbeat;
    if (heartbeat) {
      std::vector<Wake> ready;
      auto end = waiters_.end();
      for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), end);
      next_heartbeat = now + options_.heartbeat;
      lock.unlock();
      for (Wake& wake : ready) wake(false);
      lock.lock();
    }
    if (now >= next_poll) {
      next_poll = now + options_.outside_poll;
      lock.unlock();
      // Another connection committed: let the writer look (OnBegin) whether it was ours.
      if (!monitor) {
        Result<std::unique_ptr<db::Connection>> opened = db_.OpenStreamingConnection();
        if (opened.ok()) monitor = std::move(opened).value();
      }
      if (monitor) {
        Result<int64_t> version = DataVersion(*monitor);
        // The first look too: a write may have come between Attach and the monitor's opening.
        if (version.ok() && *version != monitor_version) {
          db_.write_queue()->Submit([](db::WriteContext&) { return Status::Ok(); },
                                    [](const Status&) {});
          monitor_version = *version;
        }
      }
      lock.lock();
    }
  }
  std::multimap<int64_t, Wake> ending = std::move(waiters_);
  waiters_.clear();
  lock.unlock();
  for (auto& [after, wake] : ending) wake(true);
}

void ChangeLog::PreUpdate(void* self_ptr, sqlite3* handle, int op, const char* database,
                          const char* table, sqlite3_int64 old_rowid, sqlite3_int64 new_rowid) {
  auto* self = static_cast<ChangeLog*>(self_ptr);
  if (!self->capturing_ || std::strcmp(database, "main") != 0) return;
  std::string_view name(table);
  if (name.starts_with("sqlite_") || name.starts_with("_almanac_")) return;
  // Without events, only what a sink reads: its tables, and their columns it names.
  const std::vector<bool>* columns = nullptr;
  if (!self->options_.events) {
    bool wanted = false;
    for (RowSink* sink : self->sinks_) {
      const std::vector<bool>* mask = nullptr;
      if (!sink->Wants(name, mask)) continue;
      columns = wanted ? nullptr : mask;  // two sinks: every column
      wanted = true;
    }
    if (!wanted) return;
  }
  // The slots of earlier jobs are refilled: their vectors and text buffers are reused.
  if (self->captured_count_ == self->captured_.size()) self->captured_.emplace_back();
  Captured& change = self->captured_[self->captured_count_++];
  change.op = op;
  change.table.assign(name);
  change.old_rowid = old_rowid;
  change.new_rowid = new_rowid;
  const size_t count = static_cast<size_t>(sqlite3_preupdate_count(handle));
  if (op == SQLITE_INSERT) {
    change.old_values.clear();
  } else {
    change.old_values.resize(count);
  }
  if (op == SQLITE_DELETE) {
    change.new_values.clear();
  } else {
    change.new_values.resize(count);
  }
  for (size_t i = 0; i < count; ++i) {
    if (columns && (i >= columns->size() || !(*columns)[i])) {
      if (op != SQLITE_INSERT) change.old_values[i].AssignNull();
      if (op != SQLITE_DELETE) change.new_values[i].AssignNull();
      continue;
    }
    const int column = static_cast<int>(i);
    sqlite3_value* value = nullptr;
    if (op != SQLITE_INSERT) {
      sqlite3_preupdate_old(handle, column, &value);
      self->captured_bytes_ += db::AssignFromSqlite(change.old_values[i], value);
    }
    if (op != SQLITE_DELETE) {
      value = nullptr;
      sqlite3_preupdate_new(handle, column, &value);
      self->captured_bytes_ += db::AssignFromSqlite(change.new_values[i], value);
    }
  }
}

Status ChangeLog::Append(db::Connection& conn, BatchEncoder& batch) {
  if (!options_.events || batch.empty()) return Status::Ok();
  auto stored = std::make_shared<Batch>();
  stored->first_seq = next_seq_;
  stored->count = batch.count();
  stored->time_ms = batch.time_ms();
  stored->blob = batch.Finish();
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare({"INSERT INTO _almanac_change_batches (seq, n, time_ms, events) "
                    "VALUES (?, ?, ?, ?)",
                    std::vector<Value>(4)}));
  ALM_RETURN_IF_ERROR(insert.BindInt(1, stored->first_seq));
  ALM_RETURN_IF_ERROR(insert.BindInt(2, stored->count));
  ALM_RETURN_IF_ERROR(insert.BindInt(3, stored->time_ms));
  ALM_RETURN_IF_ERROR(insert.BindBlob(4, stored->blob));
  ALM_RETURN_IF_ERROR(insert.Step().status());
  insert.Reset();
  next_seq_ += stored->count;
  pending_.push_back(std::move(stored));
  return Status::Ok();
}

Status ChangeLog::Prune(db::Connection& conn) {
  int64_t last = next_seq_ - 1;
  if (options_.max_rows > 0 && last > options_.max_rows) {
    // Whole batches: those before the one holding the oldest event kept.
    ALM_ASSIGN_OR_RETURN(
        db::Statement stmt,
        conn.Prepare({"DELETE FROM _almanac_change_batches WHERE seq < (SELECT max(seq) FROM "
                      "_almanac_change_batches WHERE seq <= ?)",
                      {Value::Integer(last - options_.max_rows + 1)}}));
    ALM_RETURN_IF_ERROR(stmt.Step().status());
  }
  int64_t now = NowMs();
  if (options_.max_age_ms > 0 && now - last_prune_ms_ >= kAgePruneEveryMs) {
    last_prune_ms_ = now;
    // Batches are in time order (a batch's time_ms is its newest event's): the scan stops at
    // the first one young enough to keep. The newest batch always stays, so that the next seq
    // survives a restart.
    ALM_ASSIGN_OR_RETURN(
        db::Statement stmt,
        conn.Prepare({"DELETE FROM _almanac_change_batches WHERE seq < (SELECT coalesce(min(("
                      "SELECT seq FROM _almanac_change_batches WHERE time_ms >= ?1 ORDER BY seq "
                      "LIMIT 1), max(seq)), max(seq)) FROM _almanac_change_batches)",
                      {Value::Integer(now - options_.max_age_ms)}}));
    ALM_RETURN_IF_ERROR(stmt.Step().status());
  }
  return Status::Ok();
}

Status ChangeLog::OnBegin(db::WriteContext& ctx) {
  pending_.clear();
  ALM_ASSIGN_OR_RETURN(int64_t version, DataVersion(ctx.conn()));
  seen_data_version_ = version;
  if (version != committed_data_version_) {
    BatchEncoder batch(NowMs());
    batch.AddResync();
    ALM_RETURN_IF_ERROR(Append(ctx.conn(), batch));
    for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->OnResync(ctx));
  }
  return options_.events ? Prune(ctx.conn()) : Status::Ok();
}

void ChangeLog::OnJobStart() {
  // The slots are kept for the next jobs, and freed once they have taken in enough text that
  // their buffers could hold much memory (at once after a large write).
  if (captured_bytes_ > kKeptCaptureBytes) {
    captured_.clear();
    captured_bytes_ = 0;
  } else if (captured_.size() > kKeptCaptureSlots) {
    captured_.resize(kKeptCaptureSlots);
  }
  captured_count_ = 0;
  capturing_ = true;
  job_pending_start_ = pending_.size();
  job_start_seq_ = next_seq_;
}

Status ChangeLog::OnJobSucceeded(db::WriteContext& ctx) {
  capturing_ = false;
  if (captured_count_ == 0) {
    for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->AfterJob(ctx));
    return Status::Ok();
  }
  // The slots are refilled by the next job (capturing_ is off: the sinks' writes add nothing).
  std::span<const Captured> captured(captured_.data(), captured_count_);
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  BatchEncoder batch(NowMs());
  const db::TableInfo* info = nullptr;
  const std::string* info_of = nullptr;  // the table `info` was looked up for
  for (const Captured& change : captured) {
    if (!info_of || *info_of != change.table) {
      info = schema->Find(change.table);
      info_of = &change.table;
    }
    if (info && info->kind == db::TableKind::kShadow) continue;
    bool update = change.op == SQLITE_UPDATE;
    bool moved = update && !SameKey(info, change.old_values, change.old_rowid, change.new_values,
                                    change.new_rowid);
    if (!sinks_.empty()) {
      RowChange row_change{change.table,
                           info,
                           change.op == SQLITE_DELETE || moved,
                           change.op == SQLITE_INSERT || moved,
                           change.old_values,
                           change.new_values,
                           change.old_rowid,
                           change.new_rowid};
      for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->OnRowChange(ctx.conn(), row_change));
    }
    if (!options_.events) continue;
    const std::vector<Value>* old = options_.old_values ? &change.old_values : nullptr;
    if (!update || moved) {
      // A changed primary key is the old row's delete and the new row's insert, so that a
      // consumer keyed by primary key never keeps the old one.
      if (change.op != SQLITE_INSERT) {
        batch.AddRow(EventOp::kDelete, change.table, info, change.old_values, change.old_rowid,
                     nullptr, old);
      }
      if (change.op != SQLITE_DELETE) {
        batch.AddRow(EventOp::kInsert, change.table, info, change.new_values, change.new_rowid,
                     &change.new_values, nullptr);
      }
      continue;
    }
    batch.AddRow(EventOp::kUpdate, change.table, info, change.new_values, change.new_rowid,
                 &change.new_values, old);
  }
  ALM_RETURN_IF_ERROR(Append(ctx.conn(), batch));
  for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->AfterJob(ctx));
  return Status::Ok();
}

void ChangeLog::OnJobRolledBack() {
  for (RowSink* sink : sinks_) sink->OnRolledBack();
  capturing_ = false;
  captured_count_ = 0;
  pending_.resize(std::min(pending_.size(), job_pending_start_));
  next_seq_ = job_start_seq_;
}

void ChangeLog::OnCommit() {
  for (RowSink* sink : sinks_) sink->OnCommitted();
  capturing_ = false;
  committed_next_seq_ = next_seq_;
  committed_data_version_ = seen_data_version_;
  if (pending_.empty()) return;
  // The waiters are woken here, on the writer thread, rather than by the log's thread: one
  // thread less to schedule between a commit and its event on the wire (it showed under CPU
  // load). A wake only queues work for the subscriber's connection.
  std::vector<Wake> ready;
  {
    std::lock_guard lock(mutex_);
    for (BatchPtr& batch : pending_) {
      recent_events_ += batch->count;
      recent_.push_back(std::move(batch));
    }
    while (recent_.size() > 1 &&
           recent_events_ - recent_.front()->count >= static_cast<int64_t>(kRecentEvents)) {
      recent_events_ -= recent_.front()->count;
      recent_.pop_front();
    }
    last_seq_ = committed_next_seq_ - 1;
    if (!stopping_) {
      auto end = waiters_.lower_bound(last_seq_);
      for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), end);
    }
  }
  pending_.clear();
  for (Wake& wake : ready) wake(false);
}

void ChangeLog::OnRollback() {
  for (RowSink* sink : sinks_) sink->OnRolledBack();
  capturing_ = false;
  captured_count_ = 0;
  pending_.clear();
  next_seq_ = committed_next_seq_;
  seen_data_version_ = committed_data_version_;
}

}  // namespace almanac::changes
