// HttpClient: a small blocking HTTP/1.1 client. libcurl lives in http_client.cc and nowhere
// else. One HttpClient keeps its connections alive between requests; it is not thread-safe.
// Redirects are followed here, by hand, so that a bearer token only ever goes to the origin
// it was stored for: once a redirect leaves that scheme, host and port, the Authorization
// header is dropped (and stays dropped for the rest of the chain).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace almanac::client {

struct HttpRequest {
  std::string method = "GET";
  std::string url;                   // absolute http:// or https:// URL
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when not empty (or when method is POST)
  std::string bearer_token;          // "Authorization: Bearer ..." ...
  std::string token_origin;          // ... only while the URL's Origin() is this one
  double timeout_seconds = 30;
  int max_redirects = 10;  // 0: return the 3xx response itself
  // libcurl silently resends a request whose kept-alive connection closes without an
  // answer; the server may have acted on the first copy. A request that must not be sent
  // twice (a plain insert) sets this: the body then cannot be rewound, so instead of a
  // second copy the request fails as kUnknownOutcome and the caller decides.
  bool no_resend = false;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string retry_after;  // the Retry-After header, when there was one
  std::string location;     // the resolved Location of a 3xx that was not followed
  std::string body;
  std::string url;  // the URL that answered, after redirects
};

// How far a request got when it failed without an HTTP status.
enum class SendFailure {
  kNone,
  kNotSent,        // DNS, refused connection, TLS handshake: the server saw no request
  kUnknownOutcome  // the connection broke or timed out after the request went out
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a response; only transport failures are errors (kUnavailable, with
  // a one-line message saying which: DNS, connection, TLS or timeout). `failure`, when
  // given, says whether the server may have seen the request.
  Result<HttpResponse> Send(const HttpRequest& request, SendFailure* failure = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace almanac::client
