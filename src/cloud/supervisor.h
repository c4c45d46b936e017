// Supervisor: one worker process per active space, started on demand and stopped when idle.
// A worker's listening socket is made here before the worker starts (DIR/run/NAME.sock, handed
// to it as a descriptor), so a request can connect at once and waits in the socket's backlog
// while the worker starts: it never sees an error. Stopped after `idle_timeout` without
// requests; restarted with backoff after a crash while requests wait (the socket outlives the
// crash); at most `max_workers` at once, the least recently used idle one stopped first (a
// request for another space waits for a slot, it is not refused). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/types.h>

#include "cloud/launcher.h"
#include "cloud/spaces.h"
#include "core/result.h"

namespace almanac::cloud {

struct SupervisorOptions {
  std::chrono::milliseconds idle_timeout{300'000};
  int max_workers = 0;   // 0: no limit
  bool handoff = false;  // give each worker a secret for the identity hand-off (auth/handoff.h)
  // Generic workers kept started and sandboxed ahead of need (cloud/pool_worker.h): a wake
  // then costs a hand-over instead of namespaces and an exec. 0: none.
  int pool_size = 0;
};

// What a request holds while it talks to a worker: the socket to connect to, the worker's
// hand-off secret, and a lease that keeps the worker from being stopped until it is dropped.
struct WorkerLease {
  std::string socket_path;
  std::string handoff_secret;
  std::shared_ptr<void> lease;
  bool woke = false;  // this request started the worker (a cold start)
};

class Supervisor {
 public:
  using Ready = std::function<void(Result<WorkerLease>)>;
  // Called when a worker stops (its socket is gone): the proxy drops idle connections to it.
  using Stopped = std::function<void(const std::string& socket_path)>;

  Supervisor(DataDir dir, Launcher launcher, SupervisorOptions options, Stopped on_stopped);
  ~Supervisor();  // stops every worker and waits for them
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Gets a running worker for `space` (which must exist), starting one if needed; `ready` is
  // called once, maybe before Acquire returns, maybe later (waiting for a slot or a restart).
  void Acquire(const std::string& space, Ready ready);

  // For tests and the status page: space name -> worker pid (the sandbox's when sandboxed).
  std::vector<std::pair<std::string, pid_t>> Running() const;
  // Stops every worker (SIGTERM, then SIGKILL after 5 s) and waits for them.
  void StopAll();
  // For renaming or deleting a space: stops its worker and waits (up to 10 s) for it to exit;
  // until Resume, no worker starts for it (its requests are answered with an error saying so).
  void Suspend(const std::string& space);
  void Resume(const std::string& space);
  // Pool workers ready to take a space (for tests and the bench).
  size_t PoolReady() const;

 private:
  struct Worker;
  struct Pooled {
    PoolProcess process;
    int mntns_fd = -1;
  };
  struct Waiter {
    std::string space;
    Ready ready;
  };

  // Each with mutex_ held.
  Status StartLocked(const std::string& space);
  void SpawnLocked(Worker& worker);
  void StopLocked(const std::string& space);
  bool MakeRoomLocked();
  void GrantLocked(Worker& worker);
  void Release(const std::string& space, uint64_t generation);
  void Reap();
  void Housekeep();
  void FillPool();
  bool SpawnFromPoolLocked(Worker& worker, const WorkerFds& fds);

  DataDir dir_;
  Launcher launcher_;
  SupervisorOptions options_;
  Stopped on_stopped_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<std::string, std::unique_ptr<Worker>> workers_;
  std::unordered_map<pid_t, std::string> stopping_;  // pid -> socket path, until reaped
  std::deque<Waiter> waiting_;                       // for a free slot (max_workers)
  uint64_t next_generation_ = 1;
  std::chrono::steady_clock::time_point last_handover_;  // to a pool worker
  // When the housekeeper's sleep ends (min() while it is awake).
  std::chrono::steady_clock::time_point housekeeper_wakes_ =
      std::chrono::steady_clock::time_point::min();
  bool shutting_down_ = false;
  std::set<std::string> suspended_;                      // spaces being renamed or deleted
  bool pool_closed_ = false;                             // StopAll: no more pool workers
  std::deque<Pooled> pool_;                              // ready, waiting for a space
  std::unordered_map<pid_t, std::string> pool_cgroups_;  // pool worker pid -> cgroup, until reaped
  std::unordered_map<pid_t, std::string> cgroups_;       // other sandboxed workers' cgroups
  std::thread reaper_;
  std::thread housekeeper_;
  std::thread pool_filler_;
};

}  // namespace almanac::cloud
