// Rows: a result set — column names plus values, row-major. What every page model holds.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/value.h"

namespace almanac::db {

struct Rows {
  std::vector<std::string> columns;
  std::vector<Value> cells;  // row-major: cells[row * columns.size() + column]

  size_t size() const { return columns.empty() ? 0 : cells.size() / columns.size(); }
  bool empty() const { return cells.empty(); }
  const Value& at(size_t row, size_t column) const { return cells[row * columns.size() + column]; }
  // Index of `column`, or -1.
  int ColumnIndex(const std::string& column) const;
  // Drops rows from `n` onwards.
  void Truncate(size_t n);
};

}  // namespace almanac::db
