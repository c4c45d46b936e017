#include "cloud/launcher.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cloud/pool_worker.h"
#include "cloud/sandbox.h"
#include "cloud/space_policy.h"

namespace almanac::cloud {
namespace {

// Moves `fd` to `target` in a child about to exec (async-signal-safe calls only).
void PlaceFd(int fd, int target) {
  if (fd < 0) return;
  if (fd == target) {
    int flags = ::fcntl(fd, F_GETFD);
    ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  } else {
    ::dup2(fd, target);
  }
}

std::string PoolCgroupName(uid_t uid) {
  static std::atomic<unsigned> next{0};
  return "pool-" + std::to_string(::getpid()) + "-" + std::to_string(uid) + "-" +
         std::to_string(next++);
}

}  // namespace

struct Launcher::Spawn {
  std::vector<std::string> argv;
  std::string cwd;
  std::string log_path;
  WorkerIdentity identity;
  std::string cgroup;  // "" none
  WorkerFds fds;
  int stdout_fd = -1;
  SandboxFds sandbox_fds;
};

std::vector<std::string> Launcher::ServeCommand(const std::string& space, bool with_handoff) const {
  std::vector<std::string> argv = {options_.almanac_binary, "serve", "--fd", "3"};
  if (options_.sandbox) argv.push_back("--landlock");
  if (with_handoff) {
    argv.insert(argv.end(), {"--handoff-secret-fd", "4"});
  }
  std::string base_url = options_.base_url;
  if (size_t at = base_url.find("{space}"); at != std::string::npos) {
    base_url.replace(at, 7, space);
  }
  std::string threads = std::to_string(options_.worker_threads);
  argv.insert(argv.end(), {"--setting", "base_url", base_url, "--setting", "num_sql_threads",
                           threads, "--io-threads", threads, "--keep-alive-timeout", "3600"});
  for (const auto& [name, value] : options_.settings) {
    argv.insert(argv.end(), {"--setting", name, value});
  }
  std::string policy_dir =
      options_.sandbox ? std::string(kSandboxPolicyDir) : dir_.PolicyDir(space);
  argv.insert(argv.end(), {"--space-policy", policy_dir + "/" + std::string(kPolicyFileName)});
  if (options_.space_quota_mb > 0) {
    argv.insert(argv.end(), {"--space-quota-mb", std::to_string(options_.space_quota_mb)});
  }
  if (options_.write_time_limit_ms > 0) {
    argv.insert(argv.end(),
                {"--write-time-limit-ms", std::to_string(options_.write_time_limit_ms)});
  }
  // Every database of the space, by file name (the worker runs in the space's directory).
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.SpaceDir(space), ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(".db")) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    argv.push_back("--create");
    files.push_back("data.db");
  }
  argv.insert(argv.end(), files.begin(), files.end());
  return argv;
}

Result<pid_t> Launcher::Start(const std::string& space, const WorkerFds& fds) const {
  return Run(space, ServeCommand(space, fds.handoff_secret_fd >= 0), fds, -1);
}

Result<pid_t> Launcher::Run(const std::string& space, std::vector<std::string> serve,
                            const WorkerFds& fds, int stdout_fd) const {
  ALM_RETURN_IF_ERROR(Spaces(dir_).PreparePolicyDir(space));
  Spawn spawn;
  spawn.cwd = dir_.SpaceDir(space);
  spawn.log_path = dir_.LogsDir() + "/" + space + ".log";
  spawn.fds = fds;
  spawn.stdout_fd = stdout_fd;
  if (options_.sandbox) {
    ALM_ASSIGN_OR_RETURN(spawn.identity, IdentityFor(dir_, space));
    ALM_ASSIGN_OR_RETURN(spawn.sandbox_fds, PrepareSandbox());
    spawn.argv = SandboxCommand(dir_, space, serve, spawn.sandbox_fds);
    spawn.cgroup = space;
  } else {
    spawn.argv = std::move(serve);
  }
  return SpawnProcess(spawn);
}

bool Launcher::PoolPossible() const { return !options_.sandbox || ::geteuid() == 0; }

Result<PoolProcess> Launcher::StartPoolWorker() const {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return Status(ErrorCode::kUnavailable, std::string("socketpair: ") + std::strerror(errno));
  }
  int on = 1;
  ::setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  // Room for the title the worker writes once it has a space (cloud/pool_worker.h).
  std::vector<std::string> command = {options_.almanac_binary, kPoolWorkerCommand,
                                      std::string(kPoolTitleRoom, ' ')};
  Spawn spawn;
  spawn.cwd = dir_.SpacesDir();
  spawn.log_path = dir_.LogsDir() + "/pool.log";
  spawn.fds.listen_fd = pair[1];  // the control socket, at fd 3
  PoolProcess process;
  if (options_.sandbox) {
    Result<uid_t> uid = AllocateUid(dir_);
    if (!uid.ok()) {
      ::close(pair[0]);
      ::close(pair[1]);
      return uid.status();
    }
    process.uid = *uid;
    spawn.identity = WorkerIdentity{true, *uid, *uid};
    Result<SandboxFds> sandbox_fds = PrepareSandbox();
    if (!sandbox_fds.ok()) {
      ::close(pair[0]);
      ::close(pair[1]);
      return sandbox_fds.status();
    }
    spawn.sandbox_fds = *sandbox_fds;
    spawn.argv = SandboxCommand(dir_, "", command, spawn.sandbox_fds);
    spawn.cgroup = process.cgroup = PoolCgroupName(*uid);
  } else {
    spawn.argv = std::move(command);
  }
  Result<pid_t> pid = SpawnProcess(spawn);
  ::close(pair[1]);
  if (!pid.ok()) {
    ::close(pair[0]);
    return pid.status();
  }
  process.pid = *pid;
  process.control_fd = pair[0];
  return process;
}

Status Launcher::Assign(const PoolProcess& worker, int mntns_fd, const std::string& space,
                        const WorkerFds& fds, std::string* phases) const {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last = Clock::now();
  auto mark = [&](const char* name) {
    if (!phases) return;
    Clock::time_point now = Clock::now();
    if (!phases->empty()) *phases += ", ";
    *phases += name;
    *phases += ' ';
    *phases +=
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now - last).count());
    last = now;
  };
  std::string space_dir = dir_.SpaceDir(space);
  std::string directory = space_dir;
  if (options_.sandbox) {
    ALM_RETURN_IF_ERROR(ChownSpace(dir_, space, worker.uid));
    mark("chown");
    ALM_RETURN_IF_ERROR(Spaces(dir_).PreparePolicyDir(space));
    ALM_RETURN_IF_ERROR(InjectDirectories(
        mntns_fd, {{space_dir, "/space", false},
                   {dir_.PolicyDir(space), std::string(kSandboxPolicyDir), true}}));
    mark("mount");
    directory = "/space";
  }
  std::string log_path = dir_.LogsDir() + "/" + space + ".log";
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Status(ErrorCode::kUnavailable, "Cannot open " + log_path);
  std::vector<std::string> serve = ServeCommand(space, fds.handoff_secret_fd >= 0);
  serve.erase(serve.begin());  // the binary: the worker already runs it
  mark("arguments");
  Status sent =
      SendSpace(worker.control_fd, directory, serve, fds.listen_fd, log_fd, fds.handoff_secret_fd);
  ::close(log_fd);
  mark("send");
  return sent;
}

Result<pid_t> Launcher::SpawnProcess(Spawn& spawn) const {
  int log_fd = ::open(spawn.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<char*> c_argv;
  for (std::string& arg : spawn.argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);
  const char* exe = c_argv[0];
  const SandboxLimits limits = GetSandboxLimits();
  const bool sandbox = options_.sandbox;
  const WorkerIdentity identity = spawn.identity;
  const WorkerFds fds = spawn.fds;
  const int stdout_fd = spawn.stdout_fd;
  const int sandbox_seccomp_fd = spawn.sandbox_fds.seccomp_fd;
  const char* cwd = spawn.cwd.c_str();

  pid_t pid = ::fork();
  if (pid < 0) {
    int error = errno;
    if (log_fd >= 0) ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    CloseSandboxFds(spawn.sandbox_fds);
    return Status(ErrorCode::kUnavailable, std::string("fork failed: ") + std::strerror(error));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls from here to exec. The front door's blocked
    // signals and ignored SIGPIPE are not the worker's.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    if (log_fd >= 0) {
      ::dup2(stdout_fd >= 0 ? stdout_fd : log_fd, 1);
      ::dup2(log_fd, 2);
    }
    // Descriptors first moved above the targets, so that placing one never clobbers another.
    int listen_fd = fds.listen_fd >= 0 ? ::fcntl(fds.listen_fd, F_DUPFD, 10) : -1;
    int handoff_fd = fds.handoff_secret_fd >= 0 ? ::fcntl(fds.handoff_secret_fd, F_DUPFD, 10) : -1;
    int seccomp_fd = sandbox_seccomp_fd >= 0 ? ::fcntl(sandbox_seccomp_fd, F_DUPFD, 10) : -1;
    PlaceFd(listen_fd, 3);
    PlaceFd(handoff_fd, 4);
    PlaceFd(seccomp_fd, kSandboxSeccompFd);
    if (listen_fd < 0) ::close(3);
    if (handoff_fd < 0) ::close(4);
    if (seccomp_fd < 0) ::close(kSandboxSeccompFd);
    ::close_range(kSandboxSeccompFd + 1, ~0U, 0);
    if (::chdir(cwd) != 0) ::_exit(126);
    ::setsid();
    if (identity.drop && (::setgroups(0, nullptr) != 0 || ::setgid(identity.gid) != 0 ||
                          ::setuid(identity.uid) != 0)) {
      ::_exit(126);
    }
    if (sandbox) ApplyRlimits(limits, identity.drop);
    ::execv(exe, c_argv.data());
    ::_exit(127);
  }
  if (log_fd >= 0) ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  CloseSandboxFds(spawn.sandbox_fds);
  if (sandbox && !spawn.cgroup.empty()) JoinCgroups(spawn.cgroup, pid, limits);
  return pid;
}

}  // namespace almanac::cloud
