// URL helpers for the client, pure string work: the origin a token belongs to, whether a
// string is an http(s) URL, and joining an instance URL with a path.
#pragma once

#include <string>
#include <string_view>

namespace almanac::client {

// True for "http://..." and "https://..." (what dclient treats as a URL rather than an alias).
bool IsHttpUrl(std::string_view s);

// "https://Example.com/a/b" -> "https://example.com:443"; "" when `url` is not http(s).
// Scheme and host lowered, the default port made explicit, user info dropped.
std::string Origin(std::string_view url);

// The instance URL without trailing slashes, then `path` (which starts with "/").
std::string JoinUrl(std::string_view instance_url, std::string_view path);

// "/" + TildeEncode(name): a database or table name as one path segment, the way Datasette
// encodes names in its own URLs.
std::string PathSegment(std::string_view name);

}  // namespace almanac::client
