// UTF-8 decoding with Python's error handling: an ill-formed sequence becomes one U+FFFD per
// "maximal subpart" (Unicode 3.9, Table 3-7), exactly as bytes.decode("utf-8", "replace").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace almanac {

struct Utf8Char {
  uint32_t code_point = 0;  // U+FFFD when !valid
  size_t length = 0;        // bytes consumed (>= 1 unless at the end of the input)
  bool valid = false;
};

// Decodes the sequence starting at s[i] (i < s.size()). When the bytes there are ill-formed,
// `length` is the maximal subpart Python replaces with a single U+FFFD.
Utf8Char DecodeUtf8(std::string_view s, size_t i);

}  // namespace almanac
