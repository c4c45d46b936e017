// Lower-case hexadecimal text of bytes (digests, random tokens, colours): two digits a byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace almanac {

std::string HexEncode(const void* bytes, size_t size);
inline std::string HexEncode(std::string_view bytes) {
  return HexEncode(bytes.data(), bytes.size());
}

}  // namespace almanac
