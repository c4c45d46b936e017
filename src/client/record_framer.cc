#include "client/record_framer.h"

namespace almanac::client {

size_t RecordFramer::Count(std::string_view text, size_t max_records, size_t* end,
                           bool at_eof) const {
  size_t count = 0;
  *end = 0;
  bool quoted = false, field_started = false, blank = true;
  size_t i = 0;
  for (; i < text.size() && count < max_records; ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 == text.size() && !at_eof) return count;  // "" or the closing quote?
        if (i + 1 < text.size() && text[i + 1] == '"') {
          ++i;
        } else {
          quoted = false;
        }
      }
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r') {
        if (i + 1 == text.size() && !at_eof) return count;  // "\r" or "\r\n"?
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      }
      if (!blank) ++count;
      *end = i + 1;
      blank = true;
      field_started = false;
      continue;
    }
    blank = false;
    if (separator_ == 0) continue;
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == separator_) {
      field_started = false;
    } else {
      field_started = true;
    }
  }
  if (at_eof && i == text.size() && !blank && count < max_records) {
    ++count;
    *end = text.size();
  }
  return count;
}

std::optional<size_t> RecordFramer::Scan(std::string_view text, size_t from, size_t n) const {
  size_t end = 0;
  if (Count(text.substr(from), n, &end, true) < n) return std::nullopt;
  return from + end;
}

}  // namespace almanac::client
