// Rows to write, as typed cells: a JSON cell of the write API becomes the SQLite value it stands
// for, and a set of rows suggests each column's SQL type the way sqlite-utils does.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "format/json_value.h"

namespace almanac::write {

// One row to write: columns and their values, in order. A column may repeat (as it can in the
// JSON object it came from); SQLite then reports the error.
struct Row {
  std::vector<std::string> columns;
  std::vector<Value> values;

  void Add(std::string column, Value value);
  // The first value of `column`, or nullptr.
  const Value* Find(std::string_view column) const;
  size_t size() const { return columns.size(); }
};

// A JSON cell as the value written to SQLite: {"$base64": true, "encoded": ...} is a blob,
// {"$raw": x} is x, other objects and arrays are stored as JSON text, booleans as 0/1.
Result<Value> CellValue(const format::JsonValue& cell);

// The members of a JSON object as a row, each through CellValue (the first bad cell's error).
Result<Row> RowFromJson(const format::JsonValue& object);

// sqlite-utils' column type for the values a column receives across rows (suggest_column_types):
// TEXT, INTEGER, REAL or BLOB. (Booleans arrive as integers; sqlite-utils types them alike.)
class TypeInference {
 public:
  void Add(const std::string& column, const Value& cell);
  void Add(const Row& row);
  // Columns in the order first seen, with their SQL types.
  std::vector<std::pair<std::string, std::string>> Types() const;

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::set<int>> kinds_;
};

}  // namespace almanac::write
