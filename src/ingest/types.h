// Column types for imported data, and the cells bound to SQL.
//
// Text cells (CSV/TSV) are typed per column by TypeGuess, as `sqlite-utils --detect-types`
// does — INTEGER when every non-empty cell is an integer, else REAL when every one is a
// number, else TEXT — but a cell only counts as a number when storing it as one loses
// nothing: "007", "+44", " 12", "1_000", "nan", "-0" and integers beyond 64 bits stay text.
// JSON values are typed by JsonTypes with sqlite-utils' rules (suggest_column_types).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::ingest {

enum class ColumnType { kText, kInteger, kReal, kFloat, kBlob, kAny };

// "TEXT", "INTEGER", "REAL", "FLOAT", "BLOB", "ANY".
std::string_view SqlTypeName(ColumnType type);
// sqlite-utils' --type names, any case: INTEGER, TEXT, FLOAT, REAL, BLOB, ANY.
std::optional<ColumnType> ColumnTypeByName(std::string_view name);
bool IsNumeric(ColumnType type);

// -?(0|[1-9][0-9]*) within 64 bits.
bool ParseExactInteger(std::string_view s, int64_t* out);
// A finite decimal number (-?digits[.digits][e[+-]digits]) with no leading zeros whose
// significant digits survive the trip through a double.
bool ParseExactReal(std::string_view s, double* out);

// The type of one column of text cells, built up cell by cell.
class TypeGuess {
 public:
  // Empty cells say nothing (they become NULL in a numeric column).
  void Observe(std::string_view cell);
  // INTEGER when nothing was seen (sqlite-utils' choice for an all-empty column).
  ColumnType type() const {
    return integer_ ? ColumnType::kInteger : real_ ? ColumnType::kReal : ColumnType::kText;
  }

 private:
  bool integer_ = true, real_ = true;
};

// The Python types seen in one column of JSON records, and the SQL type they make.
class JsonTypes {
 public:
  void Observe(const format::JsonValue& value);
  // Blobs come from {"$base64": true, "encoded": ...} objects.
  void ObserveBlob() { seen_ |= kBytes; }
  ColumnType type() const;

 private:
  enum : unsigned {
    kNone = 1,
    kBool = 2,
    kInt = 4,
    kFloat = 8,
    kStr = 16,
    kBytes = 32,
    kDict = 64,
    kList = 128
  };
  unsigned seen_ = 0;
};

// One value to bind: views point into the reader's buffers or the source's scratch space.
struct Cell {
  enum class Kind { kNull, kInteger, kReal, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string_view bytes;

  static Cell Null() { return {}; }
  static Cell Text(std::string_view s) { return {Kind::kText, 0, 0, s}; }
  static Cell Blob(std::string_view s) { return {Kind::kBlob, 0, 0, s}; }
  static Cell Integer(int64_t i) { return {Kind::kInteger, i, 0, {}}; }
  static Cell Real(double d) { return {Kind::kReal, 0, d, {}}; }
};

// A text cell stored in a column of `type`: numbers parsed exactly (empty -> NULL), text kept.
// InvalidArgument (without a line; the caller adds it) when a forced numeric type does not fit.
Result<Cell> ConvertText(std::string_view text, ColumnType type, std::string_view column);

}  // namespace almanac::ingest
