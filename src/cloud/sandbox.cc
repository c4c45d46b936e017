#include "cloud/sandbox.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cloud/landlock.h"
#include "cloud/space_policy.h"

namespace almanac::cloud {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kFirstSpaceUid = 200000;
constexpr const char* kBwrap = "/usr/bin/bwrap";
// The new mount API's constants (linux/mount.h clashes with sys/mount.h).
constexpr unsigned kOpenTreeClone = 1;           // OPEN_TREE_CLONE
constexpr unsigned kMoveMountFEmptyPath = 0x04;  // MOVE_MOUNT_F_EMPTY_PATH
constexpr uint64_t kMountAttrReadOnly = 0x01;    // MOUNT_ATTR_RDONLY
constexpr int kAtEmptyPath = 0x1000;             // AT_EMPTY_PATH
struct MountAttr {                               // struct mount_attr (MOUNT_ATTR_SIZE_VER0)
  uint64_t attr_set = 0;
  uint64_t attr_clr = 0;
  uint64_t propagation = 0;
  uint64_t userns_fd = 0;
};

SandboxLimits& Limits() {
  static SandboxLimits limits;
  return limits;
}

// System calls a SQLite server never needs: refused with EPERM (ENOSYS for clone3, so that
// glibc falls back to clone, whose flags the filter can see).
constexpr const char* kRefused[] = {"ptrace",
                                    "process_vm_readv",
                                    "process_vm_writev",
                                    "mount",
                                    "umount2",
                                    "pivot_root",
                                    "chroot",
                                    "move_mount",
                                    "open_tree",
                                    "fsopen",
                                    "fsmount",
                                    "fsconfig",
                                    "fspick",
                                    "mount_setattr",
                                    "bpf",
                                    "keyctl",
                                    "add_key",
                                    "request_key",
                                    "perf_event_open",
                                    "unshare",
                                    "setns",
                                    "io_uring_setup",
                                    "io_uring_enter",
                                    "io_uring_register",
                                    "kexec_load",
                                    "kexec_file_load",
                                    "init_module",
                                    "finit_module",
                                    "delete_module",
                                    "reboot",
                                    "swapon",
                                    "swapoff",
                                    "syslog",
                                    "acct",
                                    "userfaultfd",
                                    "open_by_handle_at",
                                    "name_to_handle_at",
                                    "fanotify_init",
                                    "quotactl",
                                    "settimeofday",
                                    "clock_settime",
                                    "clock_adjtime",
                                    "adjtimex",
                                    "iopl",
                                    "ioperm",
                                    "vhangup",
                                    "mknod",
                                    "mknodat",
                                    "personality",
                                    "lookup_dcookie",
                                    "uselib",
                                    "truncate",
                                    "pidfd_getfd",
                                    "kcmp",
                                    "ioprio_set",
                                    "sethostname",
                                    "setdomainname"};

Result<std::string> BuildSeccompProgram() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return Status(ErrorCode::kUnavailable, "seccomp_init failed");
  int rc = 0;
  for (const char* name : kRefused) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    if (rc < 0) break;
  }
  // Sockets: only Unix ones (the worker serves a socket it was given; no network at all).
  if (rc >= 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                          SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  }
  if (rc >= 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socketpair), 1,
                          SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  }
  // New namespaces through clone's flags; clone3 hides its flags in memory: ENOSYS.
  for (uint64_t flag : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC,
                        CLONE_NEWUTS, CLONE_NEWCGROUP}) {
    if (rc < 0) break;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
  }
  if (rc >= 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc < 0) {
    seccomp_release(ctx);
    return Status(ErrorCode::kUnavailable, std::string("seccomp rule: ") + std::strerror(-rc));
  }
  int fd = ::memfd_create("almanac-seccomp-build", MFD_CLOEXEC);
  rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc < 0) {
    if (fd >= 0) ::close(fd);
    return Status(ErrorCode::kUnavailable, std::string("seccomp export: ") + std::strerror(-rc));
  }
  std::string program;
  ::lseek(fd, 0, SEEK_SET);
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
    program.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return program;
}

Result<std::string> SeccompProgram() {
  static std::once_flag once;
  static Result<std::string> program = Status(ErrorCode::kUnavailable, "not built");
  std::call_once(once, [] { program = BuildSeccompProgram(); });
  return program;
}

bool WriteFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// cgroup v1: where this process's groups go for `controller` — beneath the group the front door
// itself is in (read from /proc/self/cgroup), so that workers stay inside whatever limits the
// machine put on it (on these machines the memory controller places every process of a sandbox
// in a group of its own).
std::string V1Dir(const char* controller) {
  std::string own = "/";
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find(':');
    size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string list = "," + line.substr(first + 1, second - first - 1) + ",";
    if (list.find(std::string(",") + controller + ",") != std::string::npos) {
      own = line.substr(second + 1);
      break;
    }
  }
  if (own.empty() || own.back() != '/') own += '/';
  return std::string("/sys/fs/cgroup/") + controller + own + "almanac";
}

// "v2", "v1" or "": which cgroup hierarchy this process may create groups in.
std::string CgroupVersion() {
  static std::once_flag once;
  static std::string version;
  std::call_once(once, [] {
    if (::geteuid() != 0) return;
    std::error_code ec;
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers", ec)) {
      if (fs::create_directories("/sys/fs/cgroup/almanac", ec), !ec) {
        WriteFile("/sys/fs/cgroup/cgroup.subtree_control", "+memory +pids +cpu");
        WriteFile("/sys/fs/cgroup/almanac/cgroup.subtree_control", "+memory +pids +cpu");
        version = "v2";
      }
      return;
    }
    bool any = false;
    for (const char* controller : {"memory", "pids", "cpu"}) {
      std::string base = std::string("/sys/fs/cgroup/") + controller;
      if (!fs::exists(base + "/cgroup.procs", ec)) continue;
      fs::create_directories(V1Dir(controller), ec);
      if (!ec) any = true;
    }
    if (any) version = "v1";
  });
  return version;
}

std::vector<std::pair<std::string, std::string>> CgroupFiles(const std::string& space,
                                                             const SandboxLimits& limits) {
  std::string memory = std::to_string(limits.memory_bytes + (64ull << 20));
  std::string pids = std::to_string(limits.processes);
  std::string quota = std::to_string(limits.cpu_percent * 1000);
  if (CgroupVersion() == "v2") {
    std::string dir = "/sys/fs/cgroup/almanac/" + space;
    return {{dir + "/memory.max", memory},
            {dir + "/pids.max", pids},
            {dir + "/cpu.max", quota + " 100000"}};
  }
  return {{V1Dir("memory") + "/" + space + "/memory.limit_in_bytes", memory},
          {V1Dir("pids") + "/" + space + "/pids.max", pids},
          {V1Dir("cpu") + "/" + space + "/cpu.cfs_period_us", "100000"},
          {V1Dir("cpu") + "/" + space + "/cpu.cfs_quota_us", quota}};
}

}  // namespace

void SetSandboxLimits(const SandboxLimits& limits) { Limits() = limits; }
const SandboxLimits& GetSandboxLimits() { return Limits(); }

Result<SandboxFds> PrepareSandbox() {
  ALM_ASSIGN_OR_RETURN(std::string program, SeccompProgram());
  int fd = ::memfd_create("almanac-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Status(ErrorCode::kUnavailable, "memfd_create failed");
  if (::write(fd, program.data(), program.size()) != static_cast<ssize_t>(program.size())) {
    ::close(fd);
    return Status(ErrorCode::kUnavailable, "cannot write the seccomp program");
  }
  ::lseek(fd, 0, SEEK_SET);
  ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  return SandboxFds{fd};
}

void CloseSandboxFds(SandboxFds& fds) {
  if (fds.seccomp_fd >= 0) ::close(fds.seccomp_fd);
  fds.seccomp_fd = -1;
}

Result<uid_t> AllocateUid(const DataDir& dir) {
  // From a counter, under a lock (the CLI may run alongside); never the same uid twice.
  std::string counter = dir.root + "/control/next-uid";
  int fd = ::open(counter.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status(ErrorCode::kUnavailable, "Cannot open " + counter);
  ::flock(fd, LOCK_EX);
  char text[32] = {};
  ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  uid_t next = n > 0 ? static_cast<uid_t>(std::strtoul(text, nullptr, 10)) : 0;
  if (next < kFirstSpaceUid) next = kFirstSpaceUid;
  std::string written = std::to_string(next + 1) + "\n";
  bool ok = ::ftruncate(fd, 0) == 0 &&
            ::pwrite(fd, written.data(), written.size(), 0) == static_cast<ssize_t>(written.size());
  ::close(fd);
  if (!ok) return Status(ErrorCode::kUnavailable, "Cannot allocate a uid in " + counter);
  return next;
}

Status ChownSpace(const DataDir& dir, const std::string& space, uid_t uid) {
  std::error_code ec;
  std::string space_dir = dir.SpaceDir(space);
  if (::chown(space_dir.c_str(), uid, uid) != 0) {
    return Status(ErrorCode::kUnavailable, "Cannot chown " + space_dir);
  }
  for (const auto& entry : fs::recursive_directory_iterator(space_dir, ec)) {
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) == 0 && st.st_uid != uid) {
      [[maybe_unused]] int ignored = ::lchown(entry.path().c_str(), uid, uid);
    }
  }
  return Status::Ok();
}

Result<WorkerIdentity> IdentityFor(const DataDir& dir, const std::string& space) {
  if (::geteuid() != 0) return WorkerIdentity{};
  // A uid per space, allocated once.
  std::string uid_file = dir.KeysDir() + "/" + space + ".uid";
  uid_t uid = 0;
  if (std::ifstream in(uid_file); in >> uid && uid >= kFirstSpaceUid) {
  } else {
    ALM_ASSIGN_OR_RETURN(uid, AllocateUid(dir));
    std::ofstream out(uid_file, std::ios::trunc);
    out << uid << "\n";
    if (!out) return Status(ErrorCode::kUnavailable, "Cannot write " + uid_file);
  }
  // The space's files belong to its uid (databases made by the CLI or copied in by root too).
  ALM_RETURN_IF_ERROR(ChownSpace(dir, space, uid));
  return WorkerIdentity{true, uid, uid};
}

namespace {

// What the child of InjectDirectories does: it shares the caller's memory (CLONE_VM), so the
// caller's stack frame is read directly; only raw system calls run in it.
struct InjectJob {
  int mntns_fd;
  const int* trees;
  const char* const* targets;
  size_t count;
};

int InjectChild(void* arg) {
  const auto* job = static_cast<const InjectJob*>(arg);
  if (::syscall(SYS_setns, job->mntns_fd, CLONE_NEWNS) != 0) return 1;
  for (size_t i = 0; i < job->count; ++i) {
    if (::syscall(SYS_move_mount, job->trees[i], "", AT_FDCWD, job->targets[i],
                  kMoveMountFEmptyPath) != 0) {
      return 2;
    }
  }
  return 0;
}

}  // namespace

Status InjectDirectories(int mntns_fd, const std::vector<Injection>& injections) {
  constexpr size_t kMax = 4;
  if (injections.size() > kMax) return InvalidArgument("too many directories to mount");
  int trees[kMax] = {-1, -1, -1, -1};
  const char* targets[kMax] = {};
  auto close_trees = [&trees] {
    for (int& tree : trees) {
      if (tree >= 0) ::close(tree);
      tree = -1;
    }
  };
  for (size_t i = 0; i < injections.size(); ++i) {
    const Injection& injection = injections[i];
    // A detached copy of the directory's mount, made here (it must be in this mount namespace).
    trees[i] = static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, injection.source.c_str(), kOpenTreeClone | O_CLOEXEC));
    if (trees[i] < 0) {
      int error = errno;
      close_trees();
      return Status(ErrorCode::kUnavailable,
                    "open_tree " + injection.source + ": " + std::strerror(error));
    }
    MountAttr attributes;
    attributes.attr_set = kMountAttrReadOnly;
    if (injection.read_only && ::syscall(SYS_mount_setattr, trees[i], "", kAtEmptyPath, &attributes,
                                         sizeof attributes) != 0) {
      int error = errno;
      close_trees();
      return Status(ErrorCode::kUnavailable,
                    "mount_setattr " + injection.source + " read-only: " + std::strerror(error));
    }
    targets[i] = injection.target.c_str();
  }
  // Attached in the worker's namespace by a child: setns() into a mount namespace needs a task
  // whose file-system context is its own (no CLONE_FS), which no thread of this process is. The
  // child shares this process's memory and runs while the caller waits (CLONE_VM|CLONE_VFORK):
  // no copy of the address space, unlike a fork. No exit signal, so that the supervisor's reaper
  // (waitpid(-1)) never takes it.
  InjectJob job{mntns_fd, trees, targets, injections.size()};
  // Its stack: a part of this frame, which stays untouched until the child has exited.
  alignas(64) char stack[16 * 1024];
  int pid = ::clone(InjectChild, stack + sizeof stack, CLONE_VM | CLONE_VFORK, &job);
  int error = errno;
  close_trees();
  if (pid < 0) {
    return Status(ErrorCode::kUnavailable, std::string("clone: ") + std::strerror(error));
  }
  int status = 0;
  while (::waitpid(pid, &status, __WCLONE) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status(ErrorCode::kUnavailable,
                  "cannot mount " + injections.front().source + " in the worker's sandbox (" +
                      (WIFEXITED(status) && WEXITSTATUS(status) == 1 ? "setns" : "move_mount") +
                      ")");
  }
  return Status::Ok();
}

Status InjectDirectory(int mntns_fd, const std::string& source, const std::string& target,
                       bool read_only) {
  return InjectDirectories(mntns_fd, {{source, target, read_only}});
}

std::vector<std::string> SandboxCommand(const DataDir& dir, const std::string& space,
                                        const std::vector<std::string>& inner,
                                        const SandboxFds& fds) {
  std::vector<std::string> argv = {kBwrap,
                                   "--unshare-user",
                                   "--unshare-ipc",
                                   "--unshare-pid",
                                   "--unshare-net",
                                   "--unshare-uts",
                                   "--unshare-cgroup-try",
                                   "--die-with-parent",
                                   "--new-session",
                                   "--clearenv",
                                   "--setenv",
                                   "HOME",
                                   "/space",
                                   "--setenv",
                                   "PATH",
                                   "/usr/bin",
                                   "--hostname",
                                   "space",
                                   "--uid",
                                   "1000",
                                   "--gid",
                                   "1000",
                                   "--ro-bind",
                                   "/usr",
                                   "/usr",
                                   "--symlink",
                                   "usr/lib",
                                   "/lib",
                                   "--symlink",
                                   "usr/lib64",
                                   "/lib64",
                                   "--symlink",
                                   "usr/bin",
                                   "/bin",
                                   "--symlink",
                                   "usr/sbin",
                                   "/sbin",
                                   "--ro-bind-try",
                                   "/etc/ld.so.cache",
                                   "/etc/ld.so.cache",
                                   "--ro-bind-try",
                                   "/etc/localtime",
                                   "/etc/localtime",
                                   "--ro-bind-try",
                                   "/etc/ssl/openssl.cnf",
                                   "/etc/ssl/openssl.cnf",
                                   "--proc",
                                   "/proc",
                                   "--dev",
                                   "/dev",
                                   "--tmpfs",
                                   "/tmp",
                                   "--chdir",
                                   "/space",
                                   "--ro-bind",
                                   inner.at(0),
                                   "/app/almanac"};
  // The space's policy directory, read-only (the worker reloads the file when it changes).
  const std::string policy(kSandboxPolicyDir);
  if (space.empty()) {
    argv.insert(argv.begin() + 1, {"--dir", "/space", "--dir", policy});
  } else {
    argv.insert(argv.begin() + 1, {"--bind", dir.SpaceDir(space), "/space", "--ro-bind",
                                   dir.PolicyDir(space), policy});
  }
  argv.push_back("--remount-ro");
  argv.push_back("/");
  if (fds.seccomp_fd >= 0) {
    argv.push_back("--seccomp");
    argv.push_back(std::to_string(kSandboxSeccompFd));
  }
  argv.push_back("--");
  argv.push_back("/app/almanac");
  argv.insert(argv.end(), inner.begin() + 1, inner.end());
  return argv;
}

void ApplyRlimits(const SandboxLimits& limits, bool with_nproc) {
  auto set = [](int resource, uint64_t value) {
    struct rlimit limit {
      static_cast<rlim_t>(value), static_cast<rlim_t>(value)
    };
    ::setrlimit(resource, &limit);
  };
  set(RLIMIT_AS, limits.memory_bytes);
  set(RLIMIT_FSIZE, limits.file_bytes);
  set(RLIMIT_NOFILE, limits.open_files);
  set(RLIMIT_CORE, 0);
  if (with_nproc) set(RLIMIT_NPROC, limits.processes);
}

void JoinCgroups(const std::string& space, pid_t pid, const SandboxLimits& limits) {
  std::string version = CgroupVersion();
  if (version.empty()) return;
  std::error_code ec;
  std::vector<std::string> dirs;
  if (version == "v2") {
    dirs.push_back("/sys/fs/cgroup/almanac/" + space);
  } else {
    for (const char* controller : {"memory", "pids", "cpu"}) {
      dirs.push_back(V1Dir(controller) + "/" + space);
    }
  }
  for (const std::string& d : dirs) fs::create_directories(d, ec);
  for (const auto& [file, value] : CgroupFiles(space, limits)) WriteFile(file, value);
  for (const std::string& d : dirs) WriteFile(d + "/cgroup.procs", std::to_string(pid));
}

void RemoveCgroups(const std::string& space) {
  std::string version = CgroupVersion();
  if (version.empty()) return;
  if (version == "v2") {
    ::rmdir(("/sys/fs/cgroup/almanac/" + space).c_str());
    return;
  }
  for (const char* controller : {"memory", "pids", "cpu"}) {
    ::rmdir((V1Dir(controller) + "/" + space).c_str());
  }
}

SandboxReport ProbeSandbox() {
  SandboxReport report;
  report.landlock_abi = LandlockAbi();
  report.per_space_uids = ::geteuid() == 0;
  report.cgroup = CgroupVersion();
  report.bwrap = ::access(kBwrap, X_OK) == 0;
  if (!report.bwrap) {
    report.problem = "bubblewrap is not installed (apt-get install bubblewrap)";
    return report;
  }
  Result<std::string> program = SeccompProgram();
  if (!program.ok()) {
    report.problem = "cannot build the seccomp filter: " + program.status().message();
    return report;
  }
  // Try the namespaces a worker gets, as the kind of uid a worker runs as.
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(kFirstSpaceUid - 1) != 0 ||
                             ::setuid(kFirstSpaceUid - 1) != 0)) {
      ::_exit(125);
    }
    ::execl(kBwrap, kBwrap, "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
            "--unshare-uts", "--die-with-parent", "--ro-bind", "/usr", "/usr", "--symlink",
            "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--proc", "/proc", "--dev", "/dev", "/usr/bin/true", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    report.problem =
        "bubblewrap cannot create user, pid and network namespaces here (are unprivileged user "
        "namespaces disabled? see /proc/sys/user/max_user_namespaces and "
        "/proc/sys/kernel/unprivileged_userns_clone)";
    return report;
  }
  report.user_namespaces = true;
  return report;
}

}  // namespace almanac::cloud
