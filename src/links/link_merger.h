// LinkMerger: folds a database's pending link changes (link_pending.h) into the keyed index
// and its counters in the side file (link_store.h), on a thread and a connection of its own
// (the database file as `main`, read only by it; the side file attached), so that the writer
// never waits for a merge: SQLite's write lock is one per file, and the merges take only the
// side file's.
// A merge reads, in one read transaction of the database file, every pending row after the seq
// the side file has merged through, and writes their netted changes, the rebuilds their markers
// ask for (from the rows of that same snapshot: the changes of a rebuilt kind are skipped, the
// rows have them already) and the new seq in one transaction of the side file: each change is
// merged exactly once, whatever crashes. Merges run once `merge_every` changes wait (and
// `merge_gap_ms` has passed since the last one, unless 4 x `merge_every` wait), at once after a
// marker, when a reader asks (WaitMerged), and once writes pause for `merge_when_idle_ms`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "db/connection.h"
#include "links/link_defs.h"
#include "links/link_store.h"

namespace almanac::links {

// One merge through `conn` (the database file as main, the side file attached).
struct MergeOutcome {
  int64_t changes = 0;  // pending changes read (before netting)
  int64_t through = 0;  // the side file's seq afterwards
  int64_t rebuilt = 0;  // links written by rebuilds
};
// In a transaction of its own.
Result<MergeOutcome> MergeOnce(db::Connection& conn, const LinkOptions& options);
// In the caller's transaction (tests cut it short).
Result<MergeOutcome> MergePending(db::Connection& conn, const LinkOptions& options);

class LinkMerger {
 public:
  // Opens the merger's connection and the side file (made when missing, in WAL mode). The
  // thread starts with Start.
  static Result<std::unique_ptr<LinkMerger>> Open(const std::string& db_path,
                                                  const std::string& side_path,
                                                  LinkOptions options);
  // Stops the thread after the merge in progress; waiters are answered with an error.
  ~LinkMerger();
  LinkMerger(const LinkMerger&) = delete;
  LinkMerger& operator=(const LinkMerger&) = delete;

  // Before Start: the side file's state, and emptying it (its index no longer matches the
  // database file: everything is rebuilt).
  Result<SideState> State();
  Status Reset(const SideState& state);
  void Start();

  // After a commit that appended `changes` link changes; `urgent` (a marker) merges at once.
  void Committed(int64_t changes, bool urgent);
  // Merges what was committed before the call, and waits for it.
  Status MergeNow();
  // Returns once the side file has merged through `seq` (merging now if needed).
  Status WaitMerged(int64_t seq);
  // The seq the side file has merged through (committed).
  int64_t merged_through() const { return merged_through_.load(); }

 private:
  LinkMerger(std::unique_ptr<db::Connection> conn, LinkOptions options)
      : conn_(std::move(conn)), options_(std::move(options)) {}
  void Loop();
  // How long the thread may wait before the next merge is due (0: due now; -1: until woken).
  int64_t WaitBeforeMerge(int64_t now_ms) const;

  std::unique_ptr<db::Connection> conn_;  // the thread's, once started
  LinkOptions options_;
  std::atomic<int64_t> merged_through_{0};
  std::atomic<int64_t> unmerged_{0};  // changes committed and not merged, about
  std::atomic<uint64_t> commits_{0};  // Committed calls

  std::mutex mutex_;
  std::condition_variable wakeup_;  // the thread waits on it
  std::condition_variable merged_;  // MergeNow waits on it
  uint64_t requested_ = 0;          // rounds asked for (MergeNow, markers)
  uint64_t completed_ = 0;          // of those, the ones a finished merge covered
  Status last_status_;              // of the last merge
  int64_t last_commit_ms_ = 0;      // steady clock
  int64_t last_merge_ms_ = 0;       // steady clock, when the last merge ended
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace almanac::links
