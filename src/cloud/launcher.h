// Launcher: starts one space's worker — `almanac serve` on the space's databases, serving an
// inherited listening socket — either directly (--no-sandbox) or inside the sandbox
// (cloud/sandbox.h). Knows how a worker is made, not when: the Supervisor decides that.
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
  std::vector<std::pair<std::string, std::string>>
      settings;  // --setting NAME VALUE for each worker
};

// What the worker is given at start.
struct WorkerFds {
  int listen_fd = -1;          // becomes fd 3 in the worker (`serve --fd 3`)
  int handoff_secret_fd = -1;  // becomes fd 4 when set (`serve --handoff-secret-fd 4`)
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

  const LaunchOptions& options() const { return options_; }

 private:
  DataDir dir_;
  LaunchOptions options_;
};

}  // namespace almanac::cloud
