// Small text helpers shared across modules. ASCII only, on purpose: SQL keywords, identifiers
// (SQLite folds only ASCII letters), header names, schemes and setting values.
#pragma once

#include <string>
#include <string_view>

namespace almanac {

// `s` with A-Z lowered; every other byte (UTF-8 included) is kept.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace almanac
