// Reading config and metadata files: JSON or YAML, both into a format::JsonValue tree.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::config {

// Parses `text` as JSON when it looks like JSON, else as YAML (plain scalars typed the
// YAML 1.2 core way: true/false, null/~, integers, floats; quoted scalars stay strings).
Result<format::JsonValue> ParseDocument(std::string_view text, std::string_view source_name);

// Reads and parses the file at `path`.
Result<format::JsonValue> LoadDocument(const std::string& path);

}  // namespace almanac::config
