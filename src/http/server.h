// Server: the HTTP/1.1 listener (Boost.Beast, C++20 coroutines). Keep-alive, HEAD, bounded
// headers and bodies, idle/read/write timeouts. Each request is parsed on an I/O thread and
// handed to the Dispatcher on the SQL task pool; the response hops back to the socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/task_pool.h"
#include "http/dispatch.h"

namespace almanac::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8001;  // 0: pick a free port
  int io_threads = 1;
  size_t max_header_bytes = 16 * 1024;         // larger headers get 431
  int64_t max_body_bytes = 2 * 1024 * 1024;    // max_post_body_bytes; 0 = no limit
  std::chrono::seconds keep_alive_timeout{5};  // idle connection closed after this
  std::chrono::seconds request_timeout{10};    // whole request head must arrive within
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds write_timeout{60};
};

class Server {
 public:
  Server(ServerOptions options, const Dispatcher& dispatcher, TaskPool& pool);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port (useful with port 0).
  Result<uint16_t> Listen();
  // Serves until Stop() or SIGINT/SIGTERM; returns once every I/O thread has finished.
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace almanac::http
