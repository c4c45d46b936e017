#include "core/url.h"

#include <cstdint>

#include "core/utf8.h"

namespace almanac {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsAlnum(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Decodes `escape`+XX sequences; `plus_is_space` turns "+" into " ". Bytes out, no UTF-8 check.
std::string DecodeEscapes(std::string_view s, char escape, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == escape && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string QuoteWithSafe(std::string_view s, std::string_view safe, bool space_as_plus) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsAlnum(c) || c == '_' || c == '.' || c == '-' || c == '~' ||
        safe.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string TildeEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsAlnum(c) || c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '~';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string TildeDecode(std::string_view s) {
  // Datasette turns "~" into "%" and unquote_plus()es the result, so a "~" that does not start
  // a valid escape comes out as "%".
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '~') {
      int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
      } else {
        out += '%';
      }
    } else {
      out += c == '+' ? ' ' : c;
    }
  }
  return SanitizeUtf8(out);
}

std::string EncodeRowPath(const std::vector<std::string>& values) {
  std::string path;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) path += ',';
    path += TildeEncode(values[i]);
  }
  return path;
}

std::vector<std::string> DecodeRowPath(std::string_view segment) {
  std::vector<std::string> values;
  size_t start = 0;
  for (;;) {
    size_t comma = segment.find(',', start);
    values.push_back(TildeDecode(segment.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  return DecodeEscapes(s, '%', plus_is_space);
}

std::string QuotePlus(std::string_view s) { return QuoteWithSafe(s, "", true); }

std::string Quote(std::string_view s) { return QuoteWithSafe(s, "/", false); }

QueryArgs ParseQueryString(std::string_view query) {
  QueryArgs args;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      args.emplace_back(SanitizeUtf8(PercentDecode(key, true)),
                        SanitizeUtf8(PercentDecode(value, true)));
    }
    start = end + 1;
  }
  return args;
}

std::string EncodeQueryString(const QueryArgs& args) {
  std::string out;
  for (const auto& [key, value] : args) {
    if (!out.empty()) out += '&';
    out += QuotePlus(key);
    out += '=';
    out += QuotePlus(value);
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Utf8Char ch = DecodeUtf8(s, i);
    if (!ch.valid) return false;
    i += ch.length;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  if (i == s.size() || IsValidUtf8(s.substr(i))) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    Utf8Char ch = DecodeUtf8(s, i);
    if (ch.valid) {
      out.append(s.substr(i, ch.length));
    } else {
      out += "\xEF\xBF\xBD";  // one U+FFFD per maximal subpart, as Python replaces
    }
    i += ch.length;
  }
  return out;
}

}  // namespace almanac
