// Tabular text: CSV, TSV, a JSON array of objects, or newline-delimited JSON, parsed into
// columns and typed rows. Types are detected per column the way `sqlite-utils --detect-types`
// does: a CSV/TSV column whose non-empty cells all parse as integers becomes integers, else
// as numbers becomes floats, else stays text; empty cells of number columns become null.
// Pure: no I/O, no SQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::ingest {

enum class TabularFormat { kCsv, kTsv, kJson, kNdjson };

std::string_view FormatName(TabularFormat format);
// "csv", "tsv", "json", "ndjson"; nullopt otherwise.
std::optional<TabularFormat> FormatByName(std::string_view name);

// JSON when the text starts with [ or {, one object per line as NDJSON, TSV when the first
// line has more tabs than commas, else CSV.
TabularFormat DetectFormat(std::string_view text);

struct Tabular {
  TabularFormat format = TabularFormat::kCsv;
  std::vector<std::string> columns;
  std::vector<std::string> types;  // per column: "integer", "float", "text" (or "json")
  std::vector<std::vector<format::JsonValue>> rows;

  // The rows as a JSON array of objects (what POST /<db>/-/create takes as "rows").
  format::JsonValue RowsJson() const;
};

// Parses `text`; InvalidArgument with a line number when it is malformed, has no columns,
// duplicate column names, or more than `max_rows` rows.
Result<Tabular> ParseTabular(std::string_view text, std::optional<TabularFormat> format,
                             size_t max_rows = 100000);

}  // namespace almanac::ingest
