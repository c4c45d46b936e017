// Text exactly as dclient (Python) prints it: json.dumps with and without indent, str() of a
// JSON value (None, True, 1.5, dicts and lists as Python's repr), and string width in code
// points (what str.ljust counts).
#pragma once

#include <string>
#include <string_view>

#include "format/json_value.h"

namespace almanac::client {

// json.dumps(value, indent=indent) for indent >= 0, json.dumps(value) for indent < 0:
// ASCII-only, "NaN"/"Infinity" for non-finite floats, no trailing newline.
std::string PyJsonDumps(const format::JsonValue& value, int indent = -1);
// The same appended to `out`, as if nested `level` containers deep (for streamed arrays).
void AppendPyJson(const format::JsonValue& value, int indent, std::string& out, int level = 0);

// str(value) for the value json.loads would give.
std::string PyStr(const format::JsonValue& value);
// repr(value): strings quoted as Python quotes them.
std::string PyRepr(const format::JsonValue& value);

// len(s) in Python: UTF-8 code points (each invalid byte counts as one).
size_t CodePoints(std::string_view s);

}  // namespace almanac::client
