#include "links/link_merger.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include "db/schema.h"
#include "links/link_build.h"
#include "links/link_pending.h"

namespace almanac::links {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The links of the kinds `reset` names, built again from the rows `conn` sees.
Result<int64_t> RebuildKinds(db::Connection& conn, const LinkOptions& options,
                             const std::set<int64_t>& reset) {
  for (int64_t kind : reset) ALM_RETURN_IF_ERROR(DropKindLinks(conn, kind));
  ALM_ASSIGN_OR_RETURN(std::vector<Kind> kinds, LoadKinds(conn));
  std::map<KindKey, int64_t> ids = KindIds(kinds);
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, db::Schema::Load(conn, 0));
  int64_t written = 0;
  for (const db::TableInfo& table : schema->tables()) {
    std::vector<ScanDef> defs;
    for (LinkDef& def : DefsForTable(table, options)) {
      auto found = ids.find(KeyOf(def));
      // A kind gone from the file (dropped later in the same pending rows) has nothing to build.
      if (found == ids.end() || !reset.count(found->second)) continue;
      int64_t kind = found->second;
      defs.push_back(ScanDef{std::move(def), kind});
    }
    if (defs.empty()) continue;
    ALM_ASSIGN_OR_RETURN(int64_t made, BuildKinds(conn, table, defs));
    written += made;
  }
  return written;
}

}  // namespace

Result<MergeOutcome> MergePending(db::Connection& conn, const LinkOptions& options) {
  // The side file's write lock first (an update that changes nothing): its seq is then read by
  // its only writer. The database file's snapshot starts with the pending rows' read.
  ALM_RETURN_IF_ERROR(conn.Exec(std::string("UPDATE ") + kSideSchema +
                                "._almanac_links_merged SET through = through WHERE id = 1"));
  ALM_ASSIGN_OR_RETURN(SideState state, ReadSideState(conn));
  ALM_ASSIGN_OR_RETURN(PendingRead read,
                       ReadPending(conn, state.through, std::nullopt, std::nullopt));
  MergeOutcome outcome;
  outcome.through = state.through;
  if (read.last_seq <= state.through) return outcome;
  outcome.changes = read.changes_read;
  if (!read.reset.empty()) {
    // The rows of this snapshot hold these changes already.
    std::erase_if(read.changes, [&](const LinkChange& change) {
      return read.reset.count(change.entry.kind) > 0;
    });
  }
  ALM_RETURN_IF_ERROR(ApplyToIndex(conn, read.changes));
  if (!read.reset.empty()) {
    ALM_ASSIGN_OR_RETURN(outcome.rebuilt, RebuildKinds(conn, options, read.reset));
  }
  state.through = read.last_seq;
  ALM_RETURN_IF_ERROR(WriteSideState(conn, state));
  outcome.through = state.through;
  return outcome;
}

Result<MergeOutcome> MergeOnce(db::Connection& conn, const LinkOptions& options) {
  ALM_RETURN_IF_ERROR(conn.Exec("BEGIN"));
  Result<MergeOutcome> outcome = MergePending(conn, options);
  if (outcome.ok()) {
    Status committed = conn.Exec("COMMIT");
    if (committed.ok()) return outcome;
    outcome = committed;
  }
  (void)conn.Exec("ROLLBACK");
  return outcome;
}

Result<std::unique_ptr<LinkMerger>> LinkMerger::Open(const std::string& db_path,
                                                     const std::string& side_path,
                                                     LinkOptions options) {
  db::OpenOptions open;
  open.path = db_path;
  open.read_only = false;
  open.create = true;  // ATTACH opens with the connection's flags: the side file may be new
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Connection::Open(open));
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA busy_timeout=10000"));
  ALM_RETURN_IF_ERROR(AttachSide(*conn, side_path));
  // The side file can always be made again: NORMAL keeps it whole, a power cut may lose its
  // last merges (Open notices, and rebuilds).
  const std::string side = kSideSchema;
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA " + side + ".journal_mode=WAL"));
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA " + side + ".synchronous=NORMAL"));
  ALM_RETURN_IF_ERROR(CreateSideTables(*conn));
  return std::unique_ptr<LinkMerger>(new LinkMerger(std::move(conn), std::move(options)));
}

Result<SideState> LinkMerger::State() {
  ALM_ASSIGN_OR_RETURN(SideState state, ReadSideState(*conn_));
  merged_through_ = state.through;
  return state;
}

Status LinkMerger::Reset(const SideState& state) {
  ALM_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  Status reset = conn_->Exec("DELETE FROM _almanac_links; DELETE FROM _almanac_link_counts");
  if (reset.ok()) reset = WriteSideState(*conn_, state);
  if (reset.ok()) reset = conn_->Exec("COMMIT");
  if (!reset.ok()) {
    (void)conn_->Exec("ROLLBACK");
    return reset;
  }
  merged_through_ = state.through;
  return Status::Ok();
}

void LinkMerger::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void LinkMerger::Committed(int64_t changes, bool urgent) {
  ++commits_;
  int64_t waiting = unmerged_ += changes;
  const auto every = static_cast<int64_t>(options_.merge_every);
  // The thread is woken when a threshold is crossed (or its idle timer starts), not at every
  // commit: it works out itself when the merge is due (WaitBeforeMerge).
  auto crossed = [&](int64_t threshold) {
    return waiting >= threshold && waiting - changes < threshold;
  };
  bool wake = urgent || (waiting > 0 && (every == 0 || crossed(every) || crossed(4 * every)));
  // The first changes after a merge start the thread's idle timer.
  bool first = waiting > 0 && waiting == changes && options_.merge_when_idle_ms > 0;
  std::lock_guard lock(mutex_);
  last_commit_ms_ = SteadyMs();
  if (urgent) ++requested_;
  if (wake || first) wakeup_.notify_all();
}

int64_t LinkMerger::WaitBeforeMerge(int64_t now_ms) const {
  if (requested_ > completed_) return 0;
  const int64_t waiting = unmerged_;
  if (waiting <= 0) return -1;
  const auto every = static_cast<int64_t>(options_.merge_every);
  int64_t wait = -1;
  if (every == 0 || waiting >= 4 * every) return 0;
  if (waiting >= every) {
    int64_t gap_left = options_.merge_gap_ms - (now_ms - last_merge_ms_);
    if (gap_left <= 0) return 0;
    wait = gap_left;
  }
  if (const int64_t idle = options_.merge_when_idle_ms; idle > 0) {
    int64_t idle_left = idle - (now_ms - last_commit_ms_);
    if (idle_left <= 0) return 0;
    wait = wait < 0 ? idle_left : std::min(wait, idle_left);
  }
  return wait;
}

Status LinkMerger::MergeNow() {
  std::unique_lock lock(mutex_);
  if (stopping_ || !thread_.joinable()) return Internal("The links index is not running");
  uint64_t mine = ++requested_;
  wakeup_.notify_all();
  merged_.wait(lock, [&] { return completed_ >= mine || stopping_; });
  if (completed_ < mine) return Internal("The links index is stopping");
  return last_status_;
}

Status LinkMerger::WaitMerged(int64_t seq) {
  if (merged_through_ >= seq) return Status::Ok();
  ALM_RETURN_IF_ERROR(MergeNow());
  if (merged_through_ >= seq) return Status::Ok();
  return Internal("The links index could not merge the latest changes");
}

void LinkMerger::Loop() {
  // Merges are background work: below the threads that answer requests and write (a real-time
  // policy inherited from the server is dropped too). Failing that, they run as they are.
  (void)pthread_setname_np(pthread_self(), "links-merge");  // as top and perf show it
  sched_param normal{};
  (void)pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    int64_t wait = WaitBeforeMerge(SteadyMs());
    if (wait != 0) {
      if (wait > 0) {
        wakeup_.wait_for(lock, std::chrono::milliseconds(wait));
      } else {
        wakeup_.wait(lock);
      }
      continue;
    }
    uint64_t covering = requested_;
    uint64_t commits = commits_;
    lock.unlock();
    Result<MergeOutcome> outcome = MergeOnce(*conn_, options_);
    lock.lock();
    if (outcome.ok()) {
      merged_through_ = outcome->through;
      if (outcome->changes == 0 && commits_ == commits) {
        unmerged_ = 0;  // another program's merge (`links rebuild`) took them
      } else {
        int64_t now_waiting = unmerged_;
        unmerged_ -= std::min(now_waiting, outcome->changes);
      }
    } else {
      spdlog::warn("links: merging the pending changes: {}", outcome.status().message());
    }
    last_status_ = outcome.status();
    last_merge_ms_ = SteadyMs();
    completed_ = covering;
    merged_.notify_all();
    // After a failure, not at once again (a long lock by another program, a full disk).
    if (!outcome.ok()) {
      wakeup_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
  merged_.notify_all();
}

LinkMerger::~LinkMerger() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  merged_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace almanac::links
