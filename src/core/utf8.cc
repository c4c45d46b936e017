#include "core/utf8.h"

namespace almanac {

Utf8Char DecodeUtf8(std::string_view s, size_t i) {
  constexpr uint32_t kReplacement = 0xFFFD;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return {c, 1, true};
  size_t trail = 0;  // continuation bytes needed
  uint32_t cp = 0;
  unsigned char lo = 0x80;  // allowed range of the first continuation byte
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    trail = 1;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    trail = 2;
    cp = c & 0x0Fu;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    trail = 3;
    cp = c & 0x07u;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {kReplacement, 1, false};  // a continuation byte, C0, C1 or F5..FF
  }
  for (size_t k = 1; k <= trail; ++k) {
    if (i + k >= s.size()) return {kReplacement, k, false};
    unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return {kReplacement, k, false};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return {cp, trail + 1, true};
}

}  // namespace almanac
