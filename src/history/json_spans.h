// Finds the items of a JSON file version as byte ranges, without building them: the elements
// of the array at a JSON pointer (RFC 6901; "" is the whole document), or the object there as
// a single item. The importer compares these ranges with the previous version's and parses
// only the items whose bytes changed. The text must already be valid JSON
// (format::ValidateJson); this scanner only tracks strings and brackets.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"

namespace almanac::history {

// InvalidArgument when the pointer names nothing, or something other than an array or object.
Result<std::vector<std::string_view>> ItemSpans(std::string_view json, std::string_view pointer);

// Checks a pointer's syntax: "" or "/token/token...". InvalidArgument otherwise.
Status CheckJsonPointer(std::string_view pointer);

}  // namespace almanac::history
