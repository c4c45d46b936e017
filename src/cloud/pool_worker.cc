#include "cloud/pool_worker.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace almanac::cloud {
namespace {

constexpr int kMaxFds = 3;
int64_t handed_at_us = 0;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::vector<std::string>> AwaitSpace(char* title, size_t title_size) {
  const int control = kPoolControlFd;
  char ready = 'r';
  if (::send(control, &ready, 1, MSG_NOSIGNAL) != 1) return std::nullopt;
  std::vector<char> buffer(64 << 10);
  alignas(cmsghdr) char control_buffer[CMSG_SPACE(sizeof(int) * kMaxFds)];
  iovec iov{buffer.data(), buffer.size()};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control_buffer;
  message.msg_controllen = sizeof control_buffer;
  ssize_t n;
  do {
    n = ::recvmsg(control, &message, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return std::nullopt;
  handed_at_us = NowMicros();
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.push_back(fd);
    }
  }
  if (fds.size() < 2) return std::nullopt;
  // Above the targets first, so that placing one never clobbers another.
  for (int& fd : fds) {
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    ::close(fd);
    fd = moved;
  }
  ::dup2(fds[0], 3);  // the listening socket (replaces the control socket)
  ::dup2(fds[1], 1);
  ::dup2(fds[1], 2);
  if (fds.size() > 2) {
    ::dup2(fds[2], 4);
  } else {
    ::close(4);
  }
  for (int fd : fds) ::close(fd);

  std::vector<std::string> parts;
  size_t at = 0;
  const auto size = static_cast<size_t>(n);
  while (at < size) {
    const char* start = buffer.data() + at;
    size_t length = ::strnlen(start, size - at);
    parts.emplace_back(start, length);
    at += length + 1;
  }
  if (parts.size() < 2) return std::nullopt;
  if (::chdir(parts[0].c_str()) != 0) return std::nullopt;
  parts.erase(parts.begin());
  // The process title names the space (`ps`, and the tests, see `almanac serve ... /NAME/`).
  if (title && title_size > 1) {
    std::string text = "almanac";
    for (const std::string& part : parts) {
      text.push_back('\0');
      text += part;
    }
    size_t copied = std::min(text.size(), title_size - 1);
    std::memcpy(title, text.data(), copied);
    std::memset(title + copied, 0, title_size - copied);
  }
  return parts;
}

int64_t HandedAtMicros() { return handed_at_us; }

Status SendSpace(int control_fd, const std::string& directory,
                 const std::vector<std::string>& serve_args, int listen_fd, int log_fd,
                 int secret_fd) {
  std::string payload = directory;
  for (const std::string& arg : serve_args) {
    payload.push_back('\0');
    payload += arg;
  }
  int fds[kMaxFds] = {listen_fd, log_fd, secret_fd};
  size_t count = secret_fd >= 0 ? 3 : 2;
  alignas(cmsghdr) char control_buffer[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  iovec iov{payload.data(), payload.size()};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control_buffer;
  message.msg_controllen = CMSG_SPACE(sizeof(int) * count);
  cmsghdr* c = CMSG_FIRSTHDR(&message);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * count);
  std::memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
  ssize_t n;
  do {
    n = ::sendmsg(control_fd, &message, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(payload.size())) {
    return Status(ErrorCode::kUnavailable,
                  std::string("cannot hand the space to a pool worker: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<pid_t> AwaitReady(int control_fd, int timeout_ms) {
  pollfd p{control_fd, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc <= 0) return Status(ErrorCode::kUnavailable, "the pool worker did not start in time");
  char byte = 0;
  alignas(cmsghdr) char control_buffer[CMSG_SPACE(sizeof(ucred))];
  iovec iov{&byte, 1};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control_buffer;
  message.msg_controllen = sizeof control_buffer;
  ssize_t n = ::recvmsg(control_fd, &message, MSG_CMSG_CLOEXEC);
  if (n != 1 || byte != 'r') {
    return Status(ErrorCode::kUnavailable, "the pool worker exited before it was ready");
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
      ucred credentials{};
      std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
      return credentials.pid;
    }
  }
  return Status(ErrorCode::kUnavailable, "the pool worker's ready message had no credentials");
}

}  // namespace almanac::cloud
