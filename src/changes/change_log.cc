#include "changes/change_log.h"

// The pre-update hook is compiled into Debian's libsqlite3, but sqlite3.h declares it only
// when asked to.
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <chrono>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "changes/change_reader.h"
#include "db/sqlite_value.h"
#include "format/json_writer.h"

namespace almanac::changes {
namespace {

constexpr size_t kRecentEvents = 4096;
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

// The name of value `i` of a row of `info` (nullptr: the table is gone).
std::string ColumnName(const db::TableInfo* info, size_t i) {
  if (info && i < info->columns.size()) return info->columns[i].name;
  return "column_" + std::to_string(i + 1);
}

std::string RowJson(const db::TableInfo* info, const std::vector<Value>& values) {
  std::string out;
  format::JsonWriter json(out);
  json.BeginObject();
  for (size_t i = 0; i < values.size(); ++i) {
    json.Key(ColumnName(info, i));
    json.WriteValue(values[i]);
  }
  json.EndObject();
  return out;
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
    if (self->options_.events) ALM_RETURN_IF_ERROR(conn.Exec(ChangeLogSchemaSql()));
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

int64_t ChangeLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

bool ChangeLog::Recent(int64_t after, size_t limit, std::vector<EventPtr>& out) const {
  std::lock_guard lock(mutex_);
  if (after >= last_seq_) return true;
  if (recent_.empty() || recent_.front()->seq > after + 1) return false;
  size_t start = static_cast<size_t>(after + 1 - recent_.front()->seq);
  for (size_t i = start; i < recent_.size() && out.size() < limit; ++i) out.push_back(recent_[i]);
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
  Captured change;
  change.op = op;
  change.table = std::string(name);
  change.old_rowid = old_rowid;
  change.new_rowid = new_rowid;
  int count = sqlite3_preupdate_count(handle);
  for (int i = 0; i < count; ++i) {
    sqlite3_value* value = nullptr;
    if (op != SQLITE_INSERT) {
      sqlite3_preupdate_old(handle, i, &value);
      change.old_values.push_back(db::ValueFromSqlite(value));
    }
    if (op != SQLITE_DELETE) {
      value = nullptr;
      sqlite3_preupdate_new(handle, i, &value);
      change.new_values.push_back(db::ValueFromSqlite(value));
    }
  }
  self->captured_.push_back(std::move(change));
}

Result<db::Statement> ChangeLog::PrepareAppend(db::Connection& conn) {
  return conn.Prepare(
      {"INSERT INTO _almanac_changes (seq, time_ms, table_name, op, pk, row, old) "
       "VALUES (?, ?, ?, ?, ?, ?, ?)",
       std::vector<Value>(7)});
}

Status ChangeLog::Append(db::Statement& insert, ChangeEvent event) {
  if (!options_.events) return Status::Ok();
  event.seq = next_seq_;
  RenderJson(event);
  auto text = [&insert](int index, const std::string& s) {
    return s.empty() ? insert.BindNull(index) : insert.BindText(index, s);
  };
  ALM_RETURN_IF_ERROR(insert.BindInt(1, event.seq));
  ALM_RETURN_IF_ERROR(insert.BindInt(2, event.time_ms));
  ALM_RETURN_IF_ERROR(text(3, event.table));
  ALM_RETURN_IF_ERROR(insert.BindText(4, event.op));
  ALM_RETURN_IF_ERROR(text(5, event.pk));
  ALM_RETURN_IF_ERROR(text(6, event.row));
  ALM_RETURN_IF_ERROR(text(7, event.old));
  ALM_RETURN_IF_ERROR(insert.Step().status());
  insert.Reset();
  ++next_seq_;
  pending_.push_back(std::make_shared<const ChangeEvent>(std::move(event)));
  return Status::Ok();
}

Status ChangeLog::Prune(db::Connection& conn) {
  int64_t last = next_seq_ - 1;
  if (options_.max_rows > 0 && last > options_.max_rows) {
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         conn.Prepare({"DELETE FROM _almanac_changes WHERE seq <= ?",
                                       {Value::Integer(last - options_.max_rows)}}));
    ALM_RETURN_IF_ERROR(stmt.Step().status());
  }
  int64_t now = NowMs();
  if (options_.max_age_ms > 0 && now - last_prune_ms_ >= kAgePruneEveryMs) {
    last_prune_ms_ = now;
    // Events are in time order: the scan stops at the first one young enough to keep. The
    // newest event always stays, so that the next seq survives a restart.
    ALM_ASSIGN_OR_RETURN(
        db::Statement stmt,
        conn.Prepare({"DELETE FROM _almanac_changes WHERE seq < min(?, coalesce((SELECT seq FROM "
                      "_almanac_changes WHERE time_ms >= ? ORDER BY seq LIMIT 1), ?))",
                      {Value::Integer(last), Value::Integer(now - options_.max_age_ms),
                       Value::Integer(last)}}));
    ALM_RETURN_IF_ERROR(stmt.Step().status());
  }
  return Status::Ok();
}

Status ChangeLog::OnBegin(db::WriteContext& ctx) {
  pending_.clear();
  ALM_ASSIGN_OR_RETURN(int64_t version, DataVersion(ctx.conn()));
  seen_data_version_ = version;
  if (version != committed_data_version_) {
    ChangeEvent event;
    event.time_ms = NowMs();
    event.op = "resync";
    if (options_.events) {
      ALM_ASSIGN_OR_RETURN(db::Statement insert, PrepareAppend(ctx.conn()));
      ALM_RETURN_IF_ERROR(Append(insert, std::move(event)));
    }
    for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->OnResync(ctx));
  }
  return options_.events ? Prune(ctx.conn()) : Status::Ok();
}

void ChangeLog::OnJobStart() {
  captured_.clear();
  capturing_ = true;
  job_pending_start_ = pending_.size();
  job_start_seq_ = next_seq_;
}

Status ChangeLog::OnJobSucceeded(db::WriteContext& ctx) {
  capturing_ = false;
  if (captured_.empty()) {
    for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->AfterJob(ctx));
    return Status::Ok();
  }
  std::vector<Captured> captured = std::move(captured_);
  captured_.clear();
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  int64_t now = NowMs();
  // One statement for the whole job, bound without copies.
  db::Statement insert;
  if (options_.events) {
    ALM_ASSIGN_OR_RETURN(insert, PrepareAppend(ctx.conn()));
  }
  for (const Captured& change : captured) {
    const db::TableInfo* info = schema->Find(change.table);
    if (info && info->kind == db::TableKind::kShadow) continue;
    auto event_for = [&](const char* op) {
      ChangeEvent event;
      event.time_ms = now;
      event.table = change.table;
      event.op = op;
      return event;
    };
    std::string old_key;
    if (change.op != SQLITE_INSERT) old_key = KeyJson(info, change.old_values, change.old_rowid);
    std::string new_key;
    if (change.op != SQLITE_DELETE) new_key = KeyJson(info, change.new_values, change.new_rowid);
    bool moved = change.op == SQLITE_UPDATE && old_key != new_key;
    RowChange row_change{change.table,
                         info,
                         change.op == SQLITE_DELETE || moved,
                         change.op == SQLITE_INSERT || moved,
                         change.old_values,
                         change.new_values,
                         old_key,
                         new_key};
    for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->OnRowChange(ctx.conn(), row_change));
    if (change.op == SQLITE_INSERT || change.op == SQLITE_DELETE || old_key != new_key) {
      // A changed primary key is the old row's delete and the new row's insert, so that a
      // consumer keyed by primary key never keeps the old one.
      if (change.op != SQLITE_INSERT) {
        ChangeEvent event = event_for("delete");
        event.pk = old_key;
        if (options_.old_values) event.old = RowJson(info, change.old_values);
        ALM_RETURN_IF_ERROR(Append(insert, std::move(event)));
      }
      if (change.op != SQLITE_DELETE) {
        ChangeEvent event = event_for("insert");
        event.pk = new_key;
        event.row = RowJson(info, change.new_values);
        ALM_RETURN_IF_ERROR(Append(insert, std::move(event)));
      }
      continue;
    }
    ChangeEvent event = event_for("update");
    event.pk = new_key;
    event.row = RowJson(info, change.new_values);
    if (options_.old_values) event.old = RowJson(info, change.old_values);
    ALM_RETURN_IF_ERROR(Append(insert, std::move(event)));
  }
  for (RowSink* sink : sinks_) ALM_RETURN_IF_ERROR(sink->AfterJob(ctx));
  return Status::Ok();
}

void ChangeLog::OnJobRolledBack() {
  for (RowSink* sink : sinks_) sink->OnRolledBack();
  capturing_ = false;
  captured_.clear();
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
    for (EventPtr& event : pending_) recent_.push_back(std::move(event));
    while (recent_.size() > kRecentEvents) recent_.pop_front();
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
  captured_.clear();
  pending_.clear();
  next_seq_ = committed_next_seq_;
  seen_data_version_ = committed_data_version_;
}

}  // namespace almanac::changes
