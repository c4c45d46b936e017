// Response: what a handler hands back to the server — status, headers and a body that is
// either complete or produced in chunks (streamed CSV). Free of Beast types.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace almanac::http {

// Produces a streamed body chunk by chunk, on a SQL thread. Returns false when finished
// (after appending its last bytes, if any). Must not throw.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual bool Next(std::string& chunk) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<BodyStream> stream;  // when set, `body` is ignored
  // A response that is not ready yet (a queued write). The server calls `deferred` once with a
  // callback; that callback must then be called exactly once, from any thread, with the final
  // Response. When set, every other field is ignored.
  using Deferred = std::function<void(std::function<void(Response)>)>;
  Deferred deferred;
  // Set on HTML error pages: the message, so the dispatcher can draw the full error page
  // (with the UI's layout and templates) in place of the bare one.
  std::optional<std::string> html_error;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  const std::string* Header(std::string_view name) const;

  static Response Json(int status, std::string body);
  static Response Html(int status, std::string body);
  static Response Text(int status, std::string body);
  static Response Redirect(std::string location, int status = 302);
};

}  // namespace almanac::http
