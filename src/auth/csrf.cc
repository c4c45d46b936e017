#include "auth/csrf.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

#include "core/text.h"

namespace almanac::auth {
namespace {

using Origin = std::tuple<std::string, std::string, int>;

// Python's repr() of a str, enough for the messages: single quotes unless the text has one.
std::string Repr(std::string_view s) {
  char quote =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\' || c == quote) out += '\\';
    out += c;
  }
  out += quote;
  return out;
}

// urllib.parse.urlsplit-like: (scheme, host, port) with default ports filled in.
std::optional<Origin> ParseOrigin(std::string_view value) {
  size_t colon = value.find("://");
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string scheme = AsciiLower(value.substr(0, colon));
  std::string_view rest = value.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string_view host = rest;
  std::optional<int> port;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) rest.remove_prefix(1), port = -1;
  } else if (size_t c = rest.rfind(':'); c != std::string_view::npos) {
    host = rest.substr(0, c);
    rest = rest.substr(c + 1);
    port = -1;
  }
  if (port) {
    int p = 0;
    if (!rest.empty()) {
      auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), p);
      if (ec != std::errc() || ptr != rest.data() + rest.size() || p < 0 || p > 65535) {
        return std::nullopt;
      }
      port = p;
    } else {
      port.reset();  // "host:" means the default port
    }
  }
  if (scheme.empty() || host.empty()) return std::nullopt;
  if (!port) {
    if (scheme == "http" || scheme == "ws") {
      port = 80;
    } else if (scheme == "https" || scheme == "wss") {
      port = 443;
    } else {
      return std::nullopt;
    }
  }
  return Origin{scheme, AsciiLower(host), *port};
}

}  // namespace

std::optional<std::string> CsrfRejection(const CsrfInput& in) {
  if (in.method == "GET" || in.method == "HEAD" || in.method == "OPTIONS") return std::nullopt;
  if (in.authorization && !in.authorization->empty() && !in.cookie) {
    std::string_view auth = *in.authorization;
    size_t start = auth.find_first_not_of(" \t");
    if (start != std::string_view::npos) {
      std::string_view scheme = auth.substr(start, auth.find_first_of(" \t", start) - start);
      if (AsciiLower(scheme) == "bearer") return std::nullopt;
    }
  }
  if (in.sec_fetch_site) {
    if (*in.sec_fetch_site == "same-origin" || *in.sec_fetch_site == "none") return std::nullopt;
    return "Sec-Fetch-Site was " + Repr(*in.sec_fetch_site) + ", expected 'same-origin' or 'none'";
  }
  const std::string* named = in.origin ? in.origin : in.referer;
  if (!named) return std::nullopt;
  std::string_view header = in.origin ? "Origin" : "Referer";
  std::string host = in.host ? *in.host : std::string();
  std::optional<Origin> origin = ParseOrigin(*named);
  std::optional<Origin> expected = ParseOrigin(std::string(in.scheme) + "://" + host);
  if (!origin || !expected) {
    return "Malformed " + std::string(header) + " " + Repr(*named) + " or Host " + Repr(host);
  }
  if (*origin == *expected) return std::nullopt;
  return std::string(header) + " " + Repr(*named) + " does not match Host " + Repr(host);
}

}  // namespace almanac::auth
