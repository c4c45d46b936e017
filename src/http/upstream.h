// UpstreamPool: the client half of a reverse proxy (the hosting front door's). Sends a Request
// to an HTTP/1.1 server listening on a Unix socket and hands back its Response. Connections are
// kept alive and pooled per socket path. Bodies stream both ways: a request's BodyReader is
// forwarded as it arrives, and a response body of unknown length or larger than
// `buffer_limit` comes back as a BodyStream read from the socket as the client pulls, so a body
// of any size passes through in bounded memory. Runs on the calling Server's I/O threads when
// called on one (no thread hop per request), else on I/O threads of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace almanac::http {

struct UpstreamOptions {
  int io_threads = 1;
  size_t buffer_limit = 256 * 1024;   // bodies up to this (with a Content-Length) are read whole
  size_t chunk_bytes = 256 * 1024;    // the largest part of a streamed body
  size_t max_idle_per_socket = 32;    // idle connections kept per socket path
  std::chrono::seconds timeout{300};  // for each read or write on an upstream connection
};

class UpstreamPool {
 public:
  // Called once: the upstream's Response, or an Unavailable status when it could not be
  // reached or broke off before its response head arrived.
  using Done = std::function<void(Result<Response>)>;

  explicit UpstreamPool(UpstreamOptions options = {});
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // Sends `request` (method, path, query, headers, and its body or body_reader) to the server
  // at `socket_path`. Hop-by-hop headers are not forwarded. `hold` is kept until the exchange
  // is over, body included (the front door's lease on a worker).
  void Send(const std::string& socket_path, Request request, std::shared_ptr<void> hold, Done done);

  // Closes the idle connections to `socket_path` (its server stopped).
  void Forget(const std::string& socket_path);
  // Closes every idle connection. Sends made on a Server's I/O thread run on that Server's
  // io_context and their connections belong to it: call this once the Server has stopped
  // running, before it is destroyed.
  void CloseIdle();

  struct Impl;  // in upstream.cc (public so that its response streams can name it)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace almanac::http
