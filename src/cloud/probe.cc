#include "cloud/probe.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format/json_writer.h"

namespace almanac::cloud {
namespace {

void Report(std::string_view check, bool allowed, std::string_view detail) {
  std::string out;
  format::JsonWriter json(out);
  json.BeginObject();
  json.Member("check", check);
  json.MemberBool("allowed", allowed);
  json.Member("detail", detail);
  json.EndObject();
  std::printf("%s\n", out.c_str());
  std::fflush(stdout);
}

std::string Errno() { return std::strerror(errno); }

void TryRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Report("read " + path, false, Errno());
  char byte;
  ssize_t n = ::read(fd, &byte, 1);
  ::close(fd);
  Report("read " + path, n >= 0, n >= 0 ? "read" : Errno());
}

void TryWrite(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Report("write " + path, false, Errno());
  ssize_t n = ::write(fd, "x", 1);
  ::close(fd);
  ::unlink(path.c_str());
  Report("write " + path, n == 1, n == 1 ? "written" : Errno());
}

void TryConnect(int port) {
  std::string check = "tcp connect 127.0.0.1:" + std::to_string(port);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Report(check, false, "socket: " + Errno());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  std::string detail = rc == 0 ? "connected" : "connect: " + Errno();
  ::close(fd);
  Report(check, rc == 0, detail);
}

void TryUdp() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Report("udp socket", false, "socket: " + Errno());
  ::close(fd);
  Report("udp socket", true, "created");
}

void TryPtrace() {
  pid_t child = ::fork();
  if (child < 0) return Report("ptrace", false, "fork: " + Errno());
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  long rc = ::ptrace(PTRACE_ATTACH, child, nullptr, nullptr);
  std::string detail = rc == 0 ? "attached" : Errno();
  if (rc == 0) ::ptrace(PTRACE_DETACH, child, nullptr, nullptr);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  Report("ptrace", rc == 0, detail);
}

void TryForks(int count) {
  std::vector<pid_t> children;
  std::string detail = "all started";
  for (int i = 0; i < count; ++i) {
    pid_t child = ::fork();
    if (child < 0) {
      detail = "fork " + std::to_string(i + 1) + ": " + Errno();
      break;
    }
    if (child == 0) {
      ::pause();
      ::_exit(0);
    }
    children.push_back(child);
  }
  for (pid_t child : children) ::kill(child, SIGKILL);
  for (pid_t child : children) ::waitpid(child, nullptr, 0);
  Report("fork " + std::to_string(count), static_cast<int>(children.size()) == count, detail);
}

void TryAllocate(int megabytes) {
  // In a child: if a cgroup limit kills it instead of refusing the memory, that is a refusal.
  pid_t child = ::fork();
  if (child == 0) {
    size_t size = static_cast<size_t>(megabytes) << 20;
    void* memory =
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) ::_exit(2);
    std::memset(memory, 1, size);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  bool allowed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::string detail = allowed                                         ? "allocated"
                       : WIFEXITED(status) && WEXITSTATUS(status) == 2 ? "mmap refused"
                                                                       : "killed";
  Report("allocate " + std::to_string(megabytes) + " MB", allowed, detail);
}

void TryFill(int megabytes) {
  ::signal(SIGXFSZ, SIG_IGN);
  std::string path = "probe-fill.bin";
  std::string check = "write a " + std::to_string(megabytes) + " MB file";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Report(check, false, "open: " + Errno());
  std::vector<char> block(1 << 20, 'x');
  std::string detail = "written";
  bool allowed = true;
  for (int i = 0; i < megabytes; ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      allowed = false;
      detail = "after " + std::to_string(i) + " MB: " + Errno();
      break;
    }
  }
  ::close(fd);
  ::unlink(path.c_str());
  Report(check, allowed, detail);
}

}  // namespace

int RunProbe(const ProbeChecks& checks) {
  for (const std::string& path : checks.read_paths) TryRead(path);
  for (const std::string& path : checks.write_paths) TryWrite(path);
  if (checks.connect_port > 0) TryConnect(checks.connect_port);
  if (checks.udp) TryUdp();
  if (checks.ptrace) TryPtrace();
  if (checks.forks > 0) TryForks(checks.forks);
  if (checks.allocate_mb > 0) TryAllocate(checks.allocate_mb);
  if (checks.fill_mb > 0) TryFill(checks.fill_mb);
  return 0;
}

}  // namespace almanac::cloud
