#include "db/rows.h"

namespace almanac::db {

int Rows::ColumnIndex(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return static_cast<int>(i);
  }
  return -1;
}

void Rows::Truncate(size_t n) {
  if (n < size()) cells.resize(n * columns.size());
}

}  // namespace almanac::db
