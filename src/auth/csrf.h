// CSRF protection as Datasette 1.0a37 does it (datasette/csrf.py, after Go 1.25's
// CrossOriginProtection): unsafe methods must look same-origin by Sec-Fetch-Site, or by Origin
// matching the Host for older browsers. Requests with neither header (curl, scripts) pass, and
// so do Bearer-token requests that carry no Cookie header (not ambient credentials). Where the
// caller gives the Referer (the hosting mode's front door; `serve` does not, as Datasette),
// a request without Origin whose Referer names another site is refused too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace almanac::auth {

struct CsrfInput {
  std::string_view method;           // "POST", ...
  std::string_view scheme = "http";  // the request's scheme (https with force_https_urls)
  const std::string* authorization = nullptr;
  const std::string* cookie = nullptr;
  const std::string* origin = nullptr;
  const std::string* sec_fetch_site = nullptr;
  const std::string* host = nullptr;
  const std::string* referer = nullptr;  // consulted only without Origin, and only when given
};

// nullopt when the request may proceed; otherwise the reason it is refused (a 403).
std::optional<std::string> CsrfRejection(const CsrfInput& in);

}  // namespace almanac::auth
