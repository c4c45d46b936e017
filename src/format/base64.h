// Base64 (RFC 4648): the standard alphabet with padding for blobs in JSON, and the URL-safe
// alphabet without padding for signed tokens and cookies (itsdangerous).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace almanac::format {

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

std::string Base64UrlEncode(std::string_view bytes);                // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);  // padding optional

}  // namespace almanac::format
