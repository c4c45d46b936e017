#pragma once

// MD5 (RFC 1321), for the one hash every page needs: Datasette's database colour (the first
// six hex digits of md5(name)). Built in so that answering a page never loads libcrypto
// (core/crypto_symbols.cc), whose mapping costs each worker ~400 KB of private memory.
// Not for anything that needs a secure hash.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace almanac {

std::array<uint8_t, 16> Md5(std::string_view bytes);
std::string Md5Hex(std::string_view bytes);

}  // namespace almanac
