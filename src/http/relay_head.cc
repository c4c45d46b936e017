#include "http/relay_head.h"

#include <charconv>

namespace almanac::http {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether a Connection header's comma-separated tokens include "close".
bool SaysClose(std::string_view value) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view token = Trim(value.substr(0, comma));
    if (token.size() == 5) {
      std::string lowered;
      for (char c : token) lowered.push_back(Lower(c));
      if (lowered == "close") return true;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool IsHopByHop(std::string_view lower_name) {
  for (std::string_view name :
       {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "content-length", "expect", "proxy-authenticate", "proxy-authorization"}) {
    if (lower_name == name) return true;
  }
  return false;
}

RelayHead ParseRelayHead(std::string_view bytes, Response& out) {
  RelayHead head;
  size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return head;  // kIncomplete
  head.head_bytes = end + 4;
  head.outcome = RelayHead::Outcome::kGeneral;
  std::string_view lines = bytes.substr(0, end + 2);  // each line ends with CRLF
  size_t eol = lines.find("\r\n");
  std::string_view status_line = lines.substr(0, eol);
  lines.remove_prefix(eol + 2);
  // "HTTP/1.1 200 OK": only HTTP/1.1 and final answers here.
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12 ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return head;
  }
  int status = 0;
  auto [status_end, status_error] =
      std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (status_error != std::errc() || status_end != status_line.data() + 12 || status < 200 ||
      status > 599) {
    return head;
  }
  out.status = status;
  out.content_type.clear();
  out.headers.clear();
  out.headers.reserve(8);  // a page's answer has about six: one allocation, not four
  bool seen_length = false;
  while (!lines.empty()) {
    eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol + 2);
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return head;  // also folded lines
    std::string name;
    name.reserve(colon);
    for (char c : line.substr(0, colon)) {
      if (!IsTokenChar(c)) return head;
      name.push_back(Lower(c));
    }
    std::string_view value = Trim(line.substr(colon + 1));
    if (value.find_first_of("\r\n") != std::string_view::npos) return head;
    if (name == "content-length") {
      uint64_t length = 0;
      auto [length_end, length_error] =
          std::from_chars(value.data(), value.data() + value.size(), length);
      if (seen_length || value.empty() || length_error != std::errc() ||
          length_end != value.data() + value.size()) {
        return head;
      }
      seen_length = true;
      head.content_length = length;
      continue;
    }
    if (name == "transfer-encoding") return head;  // chunked (or worse): the general path
    if (name == "connection" && SaysClose(value)) head.keep_alive = false;
    if (IsHopByHop(name) || name == "server") continue;
    if (name == "content-type") {
      out.content_type.assign(value.data(), value.size());
      continue;
    }
    out.headers.emplace_back(std::move(name), value);
  }
  head.outcome = RelayHead::Outcome::kLean;
  return head;
}

}  // namespace almanac::http
