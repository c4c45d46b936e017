// Server: the HTTP/1.1 transport (Boost.Beast, C++20 coroutines), serving one Handler on any
// number of listeners — TCP, a Unix socket path, or an inherited listening descriptor. Keep-
// alive, HEAD, bounded headers and bodies, idle/read/write timeouts, streamed bodies both ways.
// Requests are handed to the Handler on the I/O
// thread that read them. A body over the limit is answered 413 at once (before it arrives when
// Content-Length says so) and the rest of it is read and dropped for a while (a lingering
// close, as nginx does), so that the client gets to read the 413. Knows no application and
// installs no signal handlers: the caller decides when to Stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/handler.h"

namespace almanac::http {

struct ServerOptions {
  int io_threads = 1;
  // Each I/O thread runs an io_context of its own and the connections are spread over them
  // (round robin as accepted): a connection's work never moves between threads, so no thread
  // wakes another for it. For handlers that never block (the hosting front door, whose
  // proxied exchanges then stay on the connection's thread); with blocking handlers, a slow
  // request would hold up the other connections of its thread.
  bool context_per_thread = false;
  size_t max_header_bytes = 16 * 1024;         // larger headers get 431
  int64_t max_body_bytes = 2 * 1024 * 1024;    // buffered bodies only; 0 = no limit
  std::chrono::seconds keep_alive_timeout{5};  // idle connection closed after this
  std::chrono::seconds request_timeout{10};    // whole request head must arrive within
  std::chrono::seconds body_timeout{30};       // between two parts of a body
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds linger_timeout{5};  // after a 413: unread body drained for at most this
  // Content-Encoding: gzip (http/encoding.h) at this zlib level for text answers of at least
  // gzip_min_bytes (streams: always) when the client accepts it; 0: never.
  int gzip_level = 0;
  size_t gzip_min_bytes = 1024;
  // Called on an I/O thread once the server has answered requests and then been idle (none
  // started, none in progress) for `idle_after`; again only after new requests. `almanac
  // serve` returns the memory its requests freed to the kernel here (malloc_trim).
  std::function<void()> on_idle;
  // Then called once on each I/O thread (to give back what that thread keeps for itself),
  // between two of that thread's handlers.
  std::function<void()> on_idle_each_io_thread;
  std::chrono::milliseconds idle_after{1000};
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on host:port (port 0 picks a free one); returns the bound port.
  Result<uint16_t> ListenTcp(const std::string& host, uint16_t port);
  // Listens on a Unix socket at `path`, replacing a stale socket file left there.
  Status ListenUnix(const std::string& path);
  // Serves an inherited descriptor that is already a listening socket (TCP or Unix).
  Status ListenFd(int fd);

  // Serves until Stop(); returns once requests in progress have finished (or after 5 s) and
  // every I/O thread has stopped.
  void Run();
  // Stops accepting and begins the shutdown. Safe from any thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace almanac::http
