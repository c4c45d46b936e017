#include "sql/query.h"

#include <algorithm>

namespace almanac::sql {

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Identifier::Quoted() const { return QuoteIdentifier(name_); }

std::vector<std::string> NamedParameters(std::string_view sql) {
  std::vector<std::string> names;
  auto is_name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = sql.find(close, i + 1);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == ':' && i + 1 < sql.size() && is_name_char(sql[i + 1])) {
      size_t start = i + 1;
      size_t end = start;
      while (end < sql.size() && is_name_char(sql[end])) ++end;
      std::string name(sql.substr(start, end - start));
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      i = end;
    } else {
      ++i;
    }
  }
  return names;
}

}  // namespace almanac::sql
