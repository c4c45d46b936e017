// Remote: one instance as the commands see it: GET and POST relative to its URL with its
// token, keep-alive between requests, and Datasette's error bodies turned into messages.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "client/http_client.h"
#include "client/resolve.h"
#include "core/result.h"
#include "core/url.h"
#include "format/json_value.h"

namespace almanac::client {

class Remote {
 public:
  explicit Remote(Target target);

  const Target& target() const { return target_; }
  HttpClient& http() { return http_; }

  // `path` starts with "/"; `params` are URL-encoded after "?".
  Result<HttpResponse> Get(std::string_view path, const QueryArgs& params = {});
  Result<HttpResponse> Post(std::string_view path, std::string body,
                            std::string_view content_type = "application/json",
                            SendFailure* failure = nullptr, double timeout_seconds = 40,
                            bool no_resend = false);
  // The full URL a Get would fetch (for -v).
  std::string UrlFor(std::string_view path, const QueryArgs& params = {}) const;

 private:
  Target target_;
  std::string origin_;
  HttpClient http_;
};

// The response body as JSON; InvalidArgument "Response was not valid JSON" otherwise.
Result<format::JsonValue> ParseBody(const HttpResponse& response);

// Datasette's error fields joined as dclient joins them: "title: error" (either may be
// missing); "" when the body is not a JSON object or has neither.
std::string ErrorDetail(const HttpResponse& response);

// "404 error" plus ": <detail>" when the server said why.
std::string StatusError(const HttpResponse& response, std::string_view label = "error");

// httpx's str(response): "<Response [201 Created]>".
std::string ResponseRepr(const HttpResponse& response);

// textwrap.indent(text, "  "): two spaces before every line that is not blank.
std::string IndentText(const std::string& text);

// dclient's message for a failed write: the body's "errors", one per line; otherwise
// "<status> error[: detail] for <url>".
std::string WriteErrorText(const HttpResponse& response);

}  // namespace almanac::client
