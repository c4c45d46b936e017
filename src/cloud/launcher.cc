#include "cloud/launcher.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <unistd.h>

#include "cloud/sandbox.h"

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

}  // namespace

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
  std::string space_dir = dir_.SpaceDir(space);
  std::vector<std::string> argv;
  SandboxFds sandbox_fds;
  if (options_.sandbox) {
    ALM_ASSIGN_OR_RETURN(sandbox_fds, PrepareSandbox());
    argv = SandboxCommand(dir_, space, serve, sandbox_fds);
  } else {
    argv = std::move(serve);
  }
  std::string log_path = dir_.LogsDir() + "/" + space + ".log";
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<char*> c_argv;
  for (std::string& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);
  const char* exe = c_argv[0];
  WorkerIdentity identity;
  if (options_.sandbox) {
    Result<WorkerIdentity> found = IdentityFor(dir_, space);
    if (!found.ok()) {
      CloseSandboxFds(sandbox_fds);
      return found.status();
    }
    identity = *found;
  }
  const SandboxLimits limits = GetSandboxLimits();
  const bool sandbox = options_.sandbox;

  pid_t pid = ::fork();
  if (pid < 0) {
    int error = errno;
    if (log_fd >= 0) ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    CloseSandboxFds(sandbox_fds);
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
    int listen_fd = ::fcntl(fds.listen_fd, F_DUPFD, 10);
    int handoff_fd = fds.handoff_secret_fd >= 0 ? ::fcntl(fds.handoff_secret_fd, F_DUPFD, 10) : -1;
    int seccomp_fd =
        sandbox_fds.seccomp_fd >= 0 ? ::fcntl(sandbox_fds.seccomp_fd, F_DUPFD, 10) : -1;
    PlaceFd(listen_fd, 3);
    PlaceFd(handoff_fd, 4);
    PlaceFd(seccomp_fd, kSandboxSeccompFd);
    if (listen_fd < 0) ::close(3);
    if (handoff_fd < 0) ::close(4);
    if (seccomp_fd < 0) ::close(kSandboxSeccompFd);
    ::close_range(kSandboxSeccompFd + 1, ~0U, 0);
    if (::chdir(space_dir.c_str()) != 0) ::_exit(126);
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
  CloseSandboxFds(sandbox_fds);
  if (sandbox) JoinCgroups(space, pid, limits);
  return pid;
}

}  // namespace almanac::cloud
