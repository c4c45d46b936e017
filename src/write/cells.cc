#include "write/cells.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "format/base64.h"
#include "format/json_writer.h"

namespace almanac::write {
namespace {

// sqlite-utils' Python types of a cell, for suggest_column_types. A JSON boolean is stored as an
// integer, and suggest_column_types treats bool and int alike in every combination.
enum Kind { kNone, kInt, kFloat, kStr, kBytes };

int KindOf(const Value& cell) {
  switch (cell.type()) {
    case Value::Type::kNull:
      return kNone;
    case Value::Type::kInteger:
      return kInt;
    case Value::Type::kReal:
      return kFloat;
    case Value::Type::kBlob:
      return kBytes;
    default:
      return kStr;  // text, and objects/arrays stored as JSON text
  }
}

std::string TypeFor(std::set<int> kinds) {
  if (kinds.size() > 1) kinds.erase(kNone);
  auto within = [&](std::initializer_list<int> allowed) {
    return std::all_of(kinds.begin(), kinds.end(), [&](int k) {
      return std::find(allowed.begin(), allowed.end(), k) != allowed.end();
    });
  };
  if (kinds.size() == 1) {
    switch (*kinds.begin()) {
      case kInt:
        return "INTEGER";
      case kFloat:
        return "REAL";
      case kBytes:
        return "BLOB";
      default:
        return "TEXT";
    }
  }
  if (within({kInt, kFloat})) return "REAL";
  if (within({kBytes, kStr})) return "BLOB";
  return "TEXT";
}

bool IsBase64Cell(const format::JsonValue& cell) {
  if (!cell.is_object() || cell.as_object().size() != 2) return false;
  const format::JsonValue* flag = cell.Find("$base64");
  return flag && flag->is_bool() && flag->as_bool() && cell.Find("encoded");
}

bool IsRawCell(const format::JsonValue& cell) {
  return cell.is_object() && cell.as_object().size() == 1 && cell.Find("$raw");
}

}  // namespace

void Row::Add(std::string column, Value value) {
  columns.push_back(std::move(column));
  values.push_back(std::move(value));
}

const Value* Row::Find(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return &values[i];
  }
  return nullptr;
}

namespace {

// A JSON value as sqlite-utils stores it: scalars as themselves, arrays and objects as JSON text.
Value PlainValue(const format::JsonValue& cell) {
  using T = format::JsonValue::Type;
  switch (cell.type()) {
    case T::kNull:
      return Value::Null();
    case T::kBool:
      return Value::Integer(cell.as_bool() ? 1 : 0);
    case T::kInt:
      return Value::Integer(cell.as_int());
    case T::kDouble:
      return Value::Real(cell.as_double());
    case T::kString:
      return Value::Text(cell.as_string());
    default: {
      // sqlite-utils stores nested values as JSON text (ensure_ascii=False).
      std::string text;
      format::JsonWriter writer(text, format::JsonStyle{false, false, false});
      format::WriteJson(cell, writer);
      return Value::Text(std::move(text));
    }
  }
}

}  // namespace

Result<Value> CellValue(const format::JsonValue& cell) {
  if (IsBase64Cell(cell)) {
    const format::JsonValue& encoded = *cell.Find("encoded");
    if (!encoded.is_string()) return InvalidArgument("$base64 encoded value must be a string");
    std::optional<std::string> bytes = format::Base64Decode(encoded.as_string());
    if (!bytes) return InvalidArgument("Invalid $base64 encoded value");
    return Value::BlobOf(std::move(*bytes));
  }
  // Datasette's decode_write_json_cell: "$raw" unwraps exactly one layer and stores what is
  // inside literally, so {"$raw": {"$base64": true, ...}} is that object as JSON text and
  // {"$raw": {"$raw": x}} is the inner {"$raw": x} object as JSON text.
  if (IsRawCell(cell)) return PlainValue(*cell.Find("$raw"));
  return PlainValue(cell);
}

Result<Row> RowFromJson(const format::JsonValue& object) {
  Row row;
  if (!object.is_object()) return row;
  for (const auto& [key, cell] : object.as_object()) {
    ALM_ASSIGN_OR_RETURN(Value value, CellValue(cell));
    row.Add(key, std::move(value));
  }
  return row;
}

void TypeInference::Add(const std::string& column, const Value& cell) {
  auto [it, added] = kinds_.try_emplace(column);
  if (added) order_.push_back(column);
  it->second.insert(KindOf(cell));
}

void TypeInference::Add(const Row& row) {
  for (size_t i = 0; i < row.size(); ++i) Add(row.columns[i], row.values[i]);
}

std::vector<std::pair<std::string, std::string>> TypeInference::Types() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& column : order_) out.emplace_back(column, TypeFor(kinds_.at(column)));
  return out;
}

}  // namespace almanac::write
