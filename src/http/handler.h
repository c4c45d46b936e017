// Handler: the one interface between the transport and what it serves (h2o's h2o_handler_t,
// Seastar's handler_base). The Datasette app (web::App), the hosting front door and tests
// implement it; the Server knows nothing else about them.
#pragma once

#include <string>

#include "http/message.h"

namespace almanac::http {

enum class BodyMode {
  kBuffer,  // read the whole body before Handle, up to ServerOptions::max_body_bytes (413 beyond)
  kStream,  // call Handle once the head has arrived; the body is read from request.body_reader
};

class Handler {
 public:
  virtual ~Handler() = default;

  // Decides, once a request's head has arrived (request.body is still empty), how its body
  // is read.
  virtual BodyMode BodyModeFor(const Request& head) const {
    (void)head;
    return BodyMode::kBuffer;
  }

  // Answers one request, on an I/O thread, with a complete, streamed or deferred Response.
  // Keep it quick: several I/O threads share the connections. An exception escaping it is
  // answered with Error(500, ...).
  virtual Response Handle(Request& request) = 0;

  // The answer to an error the server finds itself: 400 (malformed request), 413 (body too
  // large), 431 (headers too large), 500 (the handler threw). Plain text unless overridden.
  virtual Response Error(int status, std::string message) const {
    return Response::Text(status, std::move(message));
  }
};

}  // namespace almanac::http
