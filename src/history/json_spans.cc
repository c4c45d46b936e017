#include "history/json_spans.h"

#include <array>
#include <charconv>
#include <cstring>
#include <string>

#include "format/json_value.h"

namespace almanac::history {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Bytes that matter inside a container: quotes and brackets.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("\"[]{}")) t[c] = true;
  return t;
}();

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  size_t SkipSpace(size_t i) const {
    while (i < s_.size() && IsSpace(s_[i])) ++i;
    return i;
  }

  // `i` is at an opening quote; returns the position after the closing one.
  size_t SkipString(size_t i) const {
    ++i;
    while (true) {
      const void* q = std::memchr(s_.data() + i, '"', s_.size() - i);
      if (q == nullptr) return s_.size();
      size_t at = static_cast<size_t>(static_cast<const char*>(q) - s_.data());
      size_t backslashes = 0;
      while (at - backslashes > i && s_[at - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return at + 1;
      i = at + 1;
    }
  }

  // `i` is at the first byte of a value; returns the position after it.
  size_t SkipValue(size_t i) const {
    char c = s_[i];
    if (c == '"') return SkipString(i);
    if (c != '[' && c != '{') {
      while (i < s_.size() && !IsSpace(s_[i]) && s_[i] != ',' && s_[i] != ']' && s_[i] != '}') {
        ++i;
      }
      return i;
    }
    int depth = 0;
    while (i < s_.size()) {
      unsigned char b = static_cast<unsigned char>(s_[i]);
      if (!kStructural[b]) {
        ++i;
        continue;
      }
      if (b == '"') {
        i = SkipString(i);
        continue;
      }
      depth += (b == '[' || b == '{') ? 1 : -1;
      ++i;
      if (depth == 0) return i;
    }
    return i;
  }

  std::string_view s_;
};

std::string Unescape(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

// The key at `i` (an opening quote), decoded.
std::string KeyAt(const Scanner& scan, size_t i, size_t end) {
  std::string_view raw = scan.s_.substr(i + 1, end - i - 2);
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);
  Result<format::JsonValue> decoded = format::ParseJson(scan.s_.substr(i, end - i));
  return decoded.ok() && decoded->is_string() ? decoded->as_string() : std::string(raw);
}

// Moves `i` from a container's first byte to the start of the member or element `token`
// names; false when there is none.
bool Descend(const Scanner& scan, size_t& i, const std::string& token) {
  const bool object = scan.s_[i] == '{';
  size_t index = 0;
  if (!object) {
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (ec != std::errc() || end != token.data() + token.size() || token.empty()) return false;
  }
  size_t at = scan.SkipSpace(i + 1);
  for (size_t n = 0; at < scan.s_.size() && scan.s_[at] != '}' && scan.s_[at] != ']'; ++n) {
    bool match = !object && n == index;
    if (object) {
      size_t key_end = scan.SkipString(at);
      match = KeyAt(scan, at, key_end) == token;
      at = scan.SkipSpace(scan.SkipSpace(key_end) + 1);  // past the colon
    }
    if (match) {
      i = at;
      return true;
    }
    at = scan.SkipSpace(scan.SkipValue(at));
    if (at < scan.s_.size() && scan.s_[at] == ',') at = scan.SkipSpace(at + 1);
  }
  return false;
}

}  // namespace

Status CheckJsonPointer(std::string_view pointer) {
  if (!pointer.empty() && pointer[0] != '/') {
    return InvalidArgument("A JSON pointer starts with \"/\" (for example /data/items): " +
                           std::string(pointer));
  }
  return Status::Ok();
}

Result<std::vector<std::string_view>> ItemSpans(std::string_view json, std::string_view pointer) {
  ALM_RETURN_IF_ERROR(CheckJsonPointer(pointer));
  Scanner scan(json);
  size_t i = scan.SkipSpace(0);
  std::string_view rest = pointer;
  while (!rest.empty()) {
    rest.remove_prefix(1);
    size_t slash = rest.find('/');
    std::string token = Unescape(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (i >= json.size() || (json[i] != '{' && json[i] != '[') || !Descend(scan, i, token)) {
      return InvalidArgument("Nothing at " + std::string(pointer) + " in this version");
    }
  }
  if (i >= json.size() || (json[i] != '[' && json[i] != '{')) {
    return InvalidArgument(pointer.empty() ? std::string("The file is not a JSON array or object")
                                           : "No array or object at " + std::string(pointer));
  }
  std::vector<std::string_view> spans;
  if (json[i] == '{') {
    spans.push_back(json.substr(i, scan.SkipValue(i) - i));
    return spans;
  }
  size_t at = scan.SkipSpace(i + 1);
  while (at < json.size() && json[at] != ']') {
    size_t end = scan.SkipValue(at);
    spans.push_back(json.substr(at, end - at));
    at = scan.SkipSpace(end);
    if (at < json.size() && json[at] == ',') at = scan.SkipSpace(at + 1);
  }
  return spans;
}

}  // namespace almanac::history
