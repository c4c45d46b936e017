#include "core/hex.h"

namespace almanac {

std::string HexEncode(const void* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* in = static_cast<const unsigned char*>(bytes);
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[in[i] >> 4];
    out[2 * i + 1] = kHex[in[i] & 15];
  }
  return out;
}

}  // namespace almanac
