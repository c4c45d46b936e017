// URL pieces the way Datasette handles them: tilde encoding for names in paths, Python's
// quote_plus/unquote_plus for query strings, and parse_qsl(keep_blank_values=True).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace almanac {

// "table/with.dots" -> "table~2Fwith~2Edots"; space becomes "+".
// Safe bytes: A-Z a-z 0-9 _ -   (not "." and not "~").
std::string TildeEncode(std::string_view s);

// Inverse of TildeEncode: "~2F" -> "/", "+" -> " ". A literal "%" is left alone; invalid
// escapes stay as written; invalid UTF-8 is replaced by U+FFFD, as Python decodes it.
std::string TildeDecode(std::string_view s);

// Percent-decoding ("%2F" -> "/"), "+" as space when `plus_is_space`. Invalid escapes stay.
std::string PercentDecode(std::string_view s, bool plus_is_space);

// Python's urllib.parse.quote_plus(s, safe=""): keeps A-Z a-z 0-9 _ . - ~, space -> "+".
std::string QuotePlus(std::string_view s);

// Python's urllib.parse.quote(s, safe="/"), used to build paths.
std::string Quote(std::string_view s);

// A row's URL segment: its primary-key values (as displayed), each tilde-encoded, joined by
// commas: {"a/b", "7"} -> "a~2Fb,7". DecodeRowPath is its inverse (empty values included).
std::string EncodeRowPath(const std::vector<std::string>& values);
std::vector<std::string> DecodeRowPath(std::string_view segment);

using QueryArgs = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=&c" -> [(a,1), (b,""), (c,"")]: Python's parse_qsl(qs, keep_blank_values=True).
QueryArgs ParseQueryString(std::string_view query);

// Python's urlencode(args): key=value pairs joined by "&", each quote_plus'd.
std::string EncodeQueryString(const QueryArgs& args);

// Replaces invalid UTF-8 sequences with U+FFFD (Python's decode(errors="replace")).
std::string SanitizeUtf8(std::string_view s);
bool IsValidUtf8(std::string_view s);

}  // namespace almanac
