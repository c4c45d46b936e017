// Sandbox: how a worker is confined (docs/cloud.md, "Security model"). bubblewrap puts it in new
// user, pid, ipc, uts, cgroup, mount and network namespaces with a read-only view of /usr, only
// its own space directory writable (at /space) and a private /tmp; a seccomp filter (libseccomp,
// handed to bwrap as a BPF program on a descriptor) refuses the system calls a SQLite server
// never needs; rlimits cap memory, file size, open files and processes; cgroup limits are added
// when running as root and the machine has the controllers (v1 or v2, probed). When almanac
// runs as root, each space's worker runs as a uid of its own, never as host root.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

#include "cloud/spaces.h"
#include "core/result.h"

namespace almanac::cloud {

// Where bwrap reads the seccomp program in the worker's descriptor table.
inline constexpr int kSandboxSeccompFd = 5;

struct SandboxLimits {
  uint64_t memory_bytes = 1024ull << 20;  // RLIMIT_AS, and the cgroup's memory limit
  uint64_t file_bytes =
      1024ull << 20;           // RLIMIT_FSIZE: the largest file (database) a space may have
  uint64_t open_files = 1024;  // RLIMIT_NOFILE
  uint64_t processes = 256;    // RLIMIT_NPROC (per uid: applied with per-space uids) and pids.max
  int cpu_percent = 100;       // cgroup CPU quota, percent of one core
};

struct SandboxFds {
  int seccomp_fd = -1;
};

// The uid/gid a worker runs as on the host (`drop`: switch before starting bwrap).
struct WorkerIdentity {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// What this machine lets the sandbox use, found by trying (printed at start, in docs/cloud.md).
struct SandboxReport {
  bool bwrap = false;
  bool user_namespaces = false;
  int landlock_abi = 0;         // 0: not available
  std::string cgroup;           // "v2", "v1" or "" (none usable)
  bool per_space_uids = false;  // running as root
  std::string problem;          // why the sandbox cannot be made, when it cannot
};

// Checks that a sandbox can be made here (starts one: bwrap with every namespace, /bin/true).
SandboxReport ProbeSandbox();

// The seccomp program, in a sealed memory file. Close with CloseSandboxFds.
Result<SandboxFds> PrepareSandbox();
void CloseSandboxFds(SandboxFds& fds);

void SetSandboxLimits(const SandboxLimits& limits);
const SandboxLimits& GetSandboxLimits();

// The host uid a space's worker runs as: its own (from DIR/control) when running as root.
Result<WorkerIdentity> IdentityFor(const DataDir& dir, const std::string& space);
// A host uid never handed out before (from DIR/control/next-uid), for a pool worker.
Result<uid_t> AllocateUid(const DataDir& dir);
// Gives the space's directory and files to `uid` (root only).
Status ChownSpace(const DataDir& dir, const std::string& space, uid_t uid);
// Mounts `source` (a host directory) at `target` in the mount namespace `mntns_fd` (root only),
// read-only when asked: how a pool worker, sandboxed before it had a space, is given one (its
// directory, and its policy directory read-only).
struct Injection {
  std::string source;
  std::string target;
  bool read_only = false;
};
// The same for several directories at once (at most 4), in one child: the hand-over's path.
Status InjectDirectories(int mntns_fd, const std::vector<Injection>& injections);
Status InjectDirectory(int mntns_fd, const std::string& source, const std::string& target,
                       bool read_only);

// bwrap's command line around `inner` (run at /space, the space's directory, with its policy
// directory read-only at /policy; empty ones when `space` is "", for a pool worker).
std::vector<std::string> SandboxCommand(const DataDir& dir, const std::string& space,
                                        const std::vector<std::string>& inner,
                                        const SandboxFds& fds);

// Applies the rlimits to the calling process (a child about to exec: async-signal-safe).
void ApplyRlimits(const SandboxLimits& limits, bool with_nproc);

// Puts `pid` in cgroups of its own for `space` with the limits (root only; no-op otherwise).
void JoinCgroups(const std::string& space, pid_t pid, const SandboxLimits& limits);
void RemoveCgroups(const std::string& space);

}  // namespace almanac::cloud
