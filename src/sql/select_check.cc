#include "sql/select_check.h"

#include <array>
#include <string>
#include <vector>

#include "core/text.h"

namespace almanac::sql {
namespace {

constexpr std::array<std::string_view, 13> kAllowedPragmas = {
    "database_list", "foreign_key_list", "function_list",  "index_info", "index_list",
    "index_xinfo",   "page_count",       "max_page_count", "page_size",  "schema_version",
    "table_info",    "table_xinfo",      "table_list"};

// Python's str.isspace for ASCII, which is what `\s` and strip() see in SQL text.
bool IsSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == '\x1c' || c == '\x1d' || c == '\x1e' ||
         c == '\x1f';
}

// `\w` of a Python str pattern: letters, digits, underscore; non-ASCII letters count too.
bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_';
}

void SkipSpace(std::string_view s, size_t& at) {
  while (at < s.size() && IsSpace(s[at])) ++at;
}

// Datasette's comment_re: whitespace, `-- ...\n` and `/* ... */` comments, any number.
size_t SkipLeadingComments(std::string_view s) {
  size_t at = 0;
  SkipSpace(s, at);
  while (true) {
    if (s.substr(at, 2) == "--") {
      size_t newline = s.find('\n', at);
      if (newline == std::string_view::npos) break;
      at = newline + 1;
    } else if (s.substr(at, 2) == "/*") {
      size_t end = s.find("*/", at + 2);
      if (end == std::string_view::npos) break;
      at = end + 2;
    } else {
      break;
    }
    SkipSpace(s, at);
  }
  return at;
}

// Whether `s` from `at` is the words of `phrase` ("explain query plan select"), separated by
// at least one space each, the last one ending at a word boundary.
bool StartsWithWords(std::string_view s, size_t at, std::string_view phrase) {
  size_t p = 0;
  while (p < phrase.size()) {
    size_t word_end = phrase.find(' ', p);
    if (word_end == std::string_view::npos) word_end = phrase.size();
    std::string_view word = phrase.substr(p, word_end - p);
    if (s.substr(at, word.size()) != word) return false;
    at += word.size();
    p = word_end;
    if (p < phrase.size()) {
      ++p;
      if (at >= s.size() || !IsSpace(s[at])) return false;
      SkipSpace(s, at);
    }
  }
  return at >= s.size() || !IsWordByte(s[at]);
}

std::string DisallowedPragmaMessage() {
  std::string message = "Statement contained a disallowed PRAGMA. Allowed pragma functions are ";
  for (size_t i = 0; i < kAllowedPragmas.size(); ++i) {
    if (i) message += ", ";
    message += "pragma_" + std::string(kAllowedPragmas[i]) + "()";
  }
  return message;
}

}  // namespace

Status ValidateSqlSelect(std::string_view sql) {
  // Lines starting with -- go first, then the text is stripped and lowercased.
  std::string text;
  size_t start = 0;
  bool first = true;
  while (start <= sql.size()) {
    size_t end = sql.find('\n', start);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(start, end - start);
    size_t content = 0;
    SkipSpace(line, content);
    if (line.substr(content, 2) != "--") {
      if (!first) text += '\n';
      text += line;
      first = false;
    }
    start = end + 1;
  }
  text = AsciiLower(text);
  size_t begin = 0;
  SkipSpace(text, begin);
  size_t finish = text.size();
  while (finish > begin && IsSpace(text[finish - 1])) --finish;
  std::string_view s = std::string_view(text).substr(begin, finish - begin);

  size_t at = SkipLeadingComments(s);
  bool allowed = false;
  for (std::string_view phrase : {"select", "explain select", "explain query plan select", "with",
                                  "explain with", "explain query plan with"}) {
    if (StartsWithWords(s, at, phrase)) allowed = true;
  }
  if (!allowed) return InvalidArgument("Statement must be a SELECT");

  for (size_t found = s.find("pragma"); found != std::string_view::npos;
       found = s.find("pragma", found + 1)) {
    std::string_view after = s.substr(found + 6);
    bool ok = false;
    if (!after.empty() && after[0] == '_') {
      for (std::string_view name : kAllowedPragmas) {
        if (after.substr(1, name.size()) == name) ok = true;
      }
    }
    if (!ok) return InvalidArgument(DisallowedPragmaMessage());
  }
  return Status::Ok();
}

}  // namespace almanac::sql
