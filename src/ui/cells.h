// Cells: one SQLite value as escaped HTML, the way Datasette's default render_cell shows it —
// NULL as an empty cell, BLOBs as "<Binary: N bytes>" (a download link when one is given),
// http(s) URLs as links, long text cut to `truncate_cells_html` characters with an ellipsis.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/value.h"

namespace almanac::ui {

struct CellOptions {
  int64_t truncate = 0;   // characters; 0 = never truncate
  std::string blob_href;  // link for a BLOB's bytes; empty for none
};

std::string CellHtml(const Value& value, const CellOptions& options);

// Whether a value should be right-aligned (numbers).
inline bool IsNumeric(const Value& v) {
  return v.type() == Value::Type::kInteger || v.type() == Value::Type::kReal;
}

// The first `max_chars` code points of UTF-8 `text` (all of it when shorter or max_chars==0).
std::string_view TruncateUtf8(std::string_view text, int64_t max_chars, bool* truncated);

}  // namespace almanac::ui
