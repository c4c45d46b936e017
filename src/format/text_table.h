// Aligned text tables, as Python's tabulate 0.8.9 prints them (what `sqlite-utils --table`
// shows): formats "simple" (the default), "plain" and "github". A column whose values are all
// integers (or text that reads as one) is right-aligned; all numbers: floats printed with
// %g and aligned on the decimal point; anything else left-aligned as Python's str() prints it.
// NULL prints as nothing. Columns are at least two wider than their header; multi-line cells
// span several lines (simple, plain).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace almanac::format {

enum class TableStyle { kSimple, kPlain, kGithub };

// "simple", "plain", "github"; nullopt for other names.
std::optional<TableStyle> TableStyleByName(std::string_view name);

// The table with `headers` (none when empty) over `rows`, without a trailing newline.
std::string RenderTextTable(const std::vector<std::string>& headers,
                            const std::vector<std::vector<Value>>& rows, TableStyle style);

}  // namespace almanac::format
