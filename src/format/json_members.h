// ParseJsonMembers: a few members of a large JSON object text, without building the rest of
// the document (the `next` token of a page of rows, read while the rows wait).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::format {

// The members `keys` of the JSON object `text`, in the order of `keys`; absent keys are left
// out, and a text that is valid JSON but not an object gives an empty object. Invalid JSON is
// the error ParseJson gives.
Result<JsonValue> ParseJsonMembers(std::string_view text, const std::vector<std::string>& keys);

}  // namespace almanac::format
