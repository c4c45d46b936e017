#include "client/url_parts.h"

#include "core/text.h"
#include "core/url.h"

namespace almanac::client {

bool IsHttpUrl(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

std::string Origin(std::string_view url) {
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return "";
  std::string scheme = AsciiLower(url.substr(0, colon));
  if (scheme != "http" && scheme != "https") return "";
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with("[")) {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return "";
    host = rest.substr(0, close + 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (size_t c = rest.rfind(':'); c != std::string_view::npos) {
    host = rest.substr(0, c);
    port = rest.substr(c + 1);
  }
  if (host.empty()) return "";
  std::string out = scheme + "://" + AsciiLower(host) + ":";
  out += port.empty() ? (scheme == "https" ? "443" : "80") : std::string(port);
  return out;
}

std::string JoinUrl(std::string_view instance_url, std::string_view path) {
  while (instance_url.ends_with('/')) instance_url.remove_suffix(1);
  return std::string(instance_url) + std::string(path);
}

std::string PathSegment(std::string_view name) { return "/" + TildeEncode(name); }

}  // namespace almanac::client
