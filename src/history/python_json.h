// The JSON text git-history computes with Python's json.dumps(..., sort_keys=True), and its
// SHA-1 hex digests. Objects are written with their keys in code-point order; a key that occurs
// twice keeps its last value (as json.loads does). Floats print as Python's repr.
#pragma once

#include <array>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "format/json_value.h"

namespace almanac::history {

enum class PyJsonStyle {
  // separators=(",", ":"), ensure_ascii=True: the text hashed into _item_id and _item_full_hash.
  kHash,
  // the default separators (", ", ": "), ensure_ascii=False: a list or object stored in a cell.
  kCell,
};

void AppendPyJson(const format::JsonValue& value, PyJsonStyle style, std::string& out);
std::string PyJson(const format::JsonValue& value, PyJsonStyle style);

// hashlib.sha1(text).hexdigest(), in a fixed-size array (no allocation) or as a string.
using HexDigest = std::array<char, 40>;
HexDigest Sha1(std::string_view text);
std::string Sha1Hex(std::string_view text);
inline std::string_view View(const HexDigest& d) { return {d.data(), d.size()}; }

struct HexDigestHash {
  size_t operator()(const HexDigest& d) const {
    return std::hash<std::string_view>()(std::string_view(d.data(), 16));
  }
};

}  // namespace almanac::history
