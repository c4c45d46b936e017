// The transport's request and response: what a Handler receives and hands back. Plain data
// plus two streaming interfaces, free of Beast and of any application: the Datasette app
// (src/web), the hosting front door's proxy and tests all speak these.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace almanac::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A request body the handler reads part by part (BodyMode::kStream), so that a body of any
// size passes through in bounded memory.
class BodyReader {
 public:
  // Called once per Read, on an I/O thread: the next bytes (at most 64 KB), and `done` after
  // the last ones. A non-ok Status when the client went away, timed out or sent a malformed
  // body; nothing more can be read then.
  using Deliver = std::function<void(const Status& status, std::string_view bytes, bool done)>;

  virtual ~BodyReader() = default;
  // Asks for the next bytes. Call again only after `deliver` has run.
  virtual void Read(Deliver deliver) = 0;
  // The Content-Length the client announced; nullopt for a chunked body.
  virtual std::optional<uint64_t> length() const = 0;
};

// A response body produced part by part: streamed CSV, a file, a proxied body, or an event
// stream that waits for events without holding any thread.
class BodyStream {
 public:
  // Called exactly once per Pull, from any thread and possibly before Pull returns: the next
  // bytes, and `more` false after the last ones.
  using Deliver = std::function<void(std::string bytes, bool more)>;

  virtual ~BodyStream() = default;
  // Asks for the next bytes. The server calls Pull again only after `deliver` has run, and
  // drops the stream (without pulling further) when the client goes away.
  virtual void Pull(Deliver deliver) = 0;
};

struct Request {
  std::string method;        // as sent: "GET", "POST", ...
  std::string path;          // the target before "?", as sent (percent-encoding kept)
  std::string query_string;  // the target after "?", without it
  Headers headers;           // names lower-case, in the order sent
  std::string body;          // the whole body (BodyMode::kBuffer)
  std::shared_ptr<BodyReader> body_reader;  // the body to read (BodyMode::kStream)
  std::string remote_address;               // the client's IP address ("" on a Unix socket)

  // The first header of that (lower-case) name, or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  Headers headers;
  std::string body;
  std::shared_ptr<BodyStream> stream;  // when set, `body` is ignored (sent chunked)
  // A response that is not ready yet (a queued write, a proxied request). The server calls
  // `deferred` once with a callback, which must then be called exactly once, from any thread,
  // with the final Response. When set, every other field is ignored.
  using Deferred = std::function<void(std::function<void(Response)>)>;
  Deferred deferred;
  // Set on HTML error pages: the message, so the application can draw the full error page
  // (with its layout and templates) in place of the bare one.
  std::optional<std::string> html_error;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  // The first header of that name (compared case-insensitively), or nullptr.
  const std::string* Header(std::string_view name) const;

  static Response Json(int status, std::string body);
  static Response Html(int status, std::string body);
  static Response Text(int status, std::string body);
  static Response Redirect(std::string location, int status = 302);
};

}  // namespace almanac::http
