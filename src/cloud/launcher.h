// Launcher: starts one space's worker — `almanac serve` on the space's databases, serving an
// inherited listening socket — either directly (--no-sandbox) or inside the sandbox
// (cloud/sandbox.h). Knows how a worker is made, not when: the Supervisor decides that. It also
// starts the generic pool workers (cloud/pool_worker.h) and hands them a space.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "cloud/spaces.h"
#include "core/result.h"

namespace almanac::cloud {

struct LaunchOptions {
  std::string almanac_binary;  // the executable to run as `almanac serve`
  std::string base_url = "/";  // "/{space}/" without --domain (the space name substituted)
  bool sandbox = true;
  int worker_threads = 2;
  int space_quota_mb = 0;           // what a space's files may use together (0: no quota)
  int64_t write_time_limit_ms = 0;  // one statement of execute-write SQL (0: no limit)
  std::vector<std::pair<std::string, std::string>>
      settings;  // --setting NAME VALUE for each worker
};

// What the worker is given at start.
struct WorkerFds {
  int listen_fd = -1;          // becomes fd 3 in the worker (`serve --fd 3`)
  int handoff_secret_fd = -1;  // becomes fd 4 when set (`serve --handoff-secret-fd 4`)
};

// A pre-started generic worker, waiting for a space on `control_fd`.
struct PoolProcess {
  pid_t pid = -1;       // the sandbox's (bwrap's) pid, or the worker's without the sandbox
  int control_fd = -1;  // SOCK_SEQPACKET, SO_PASSCRED on
  uid_t uid = 0;        // its host uid when running as root (the space's files are given it)
  std::string cgroup;   // the name of its cgroups ("" when none)
};

class Launcher {
 public:
  Launcher(DataDir dir, LaunchOptions options)
      : dir_(std::move(dir)), options_(std::move(options)) {}

  // The `almanac serve` command line a worker of `space` runs (inside its sandbox, if any).
  std::vector<std::string> ServeCommand(const std::string& space, bool with_handoff) const;
  // Starts a worker of `space`; returns its pid (the sandbox's, when sandboxed).
  Result<pid_t> Start(const std::string& space, const WorkerFds& fds) const;
  // Runs `command` (argv[0] the almanac binary) exactly as a worker of `space` would run,
  // sandbox and limits included, with stdout on `stdout_fd` (-1: the space's log). The sandbox
  // probe uses it, so that it tests what workers get.
  Result<pid_t> Run(const std::string& space, std::vector<std::string> command,
                    const WorkerFds& fds, int stdout_fd) const;

  // Pool workers need the space's directory mounted into their sandbox from outside: root only
  // (or no sandbox at all).
  bool PoolPossible() const;
  // Starts a generic worker in the same sandbox and limits as a space's, with an empty /space.
  Result<PoolProcess> StartPoolWorker() const;
  // Hands `space` to a ready pool worker: its files are given the worker's uid, its directory is
  // mounted at /space in the worker's mount namespace (`mntns_fd`), then the socket, secret and
  // log are sent with the serve arguments. `phases`, when given, gets each step's time
  // ("chown 120, mount space 800, ...", in µs).
  Status Assign(const PoolProcess& worker, int mntns_fd, const std::string& space,
                const WorkerFds& fds, std::string* phases = nullptr) const;

  const LaunchOptions& options() const { return options_; }

 private:
  struct Spawn;
  Result<pid_t> SpawnProcess(Spawn& spawn) const;

  DataDir dir_;
  LaunchOptions options_;
};

}  // namespace almanac::cloud
