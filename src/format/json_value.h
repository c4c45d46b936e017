// JsonValue: a parsed JSON document (request bodies, config and metadata files), objects
// keeping their key order. Parsing goes through simdjson's DOM API and nowhere else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"

namespace almanac::format {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::vector<std::pair<std::string, JsonValue>>;
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  JsonValue() = default;
  static JsonValue Bool(bool v) { return JsonValue(Storage(std::in_place_index<1>, v)); }
  static JsonValue Int(int64_t v) { return JsonValue(Storage(std::in_place_index<2>, v)); }
  static JsonValue Double(double v) { return JsonValue(Storage(std::in_place_index<3>, v)); }
  static JsonValue String(std::string v) {
    return JsonValue(Storage(std::in_place_index<4>, std::move(v)));
  }
  static JsonValue MakeArray(Array v = {}) {
    return JsonValue(Storage(std::in_place_index<5>, std::move(v)));
  }
  static JsonValue MakeObject(Object v = {}) {
    return JsonValue(Storage(std::in_place_index<6>, std::move(v)));
  }

  Type type() const { return static_cast<Type>(storage_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  bool as_bool() const { return std::get<1>(storage_); }
  int64_t as_int() const { return std::get<2>(storage_); }
  double as_double() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<3>(storage_);
  }
  const std::string& as_string() const { return std::get<4>(storage_); }
  const Array& as_array() const { return std::get<5>(storage_); }
  Array& as_array() { return std::get<5>(storage_); }
  const Object& as_object() const { return std::get<6>(storage_); }
  Object& as_object() { return std::get<6>(storage_); }

  // Member lookup on an object; nullptr when absent or when this is not an object.
  const JsonValue* Find(std::string_view key) const;
  // Sets (or replaces) a member of an object.
  void Set(std::string key, JsonValue value);

  // Python truthiness: null, false, 0, "", [] and {} are false.
  bool Truthy() const;

  bool operator==(const JsonValue&) const = default;

 private:
  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object>;
  explicit JsonValue(Storage s) : storage_(std::move(s)) {}
  Storage storage_;
};

// Parses a JSON text. Errors (including nesting deeper than 1024) are InvalidArgument with a
// message that starts "Invalid JSON: ".
Result<JsonValue> ParseJson(std::string_view text);
// Checks that `text` is one valid JSON document without building a JsonValue (same errors).
Status ValidateJson(std::string_view text);

class JsonWriter;
// Writes `value` through `writer` (Python json.dumps formatting).
void WriteJson(const JsonValue& value, JsonWriter& writer);
// json.dumps(value).
std::string ToJsonText(const JsonValue& value);
// Python's str() of the value json.loads gives: None, True, False, 1, 1.5 (repr), the string
// itself; lists and dicts as JSON text (Python's repr differs only in quotes and spacing).
std::string PythonStr(const JsonValue& value);

}  // namespace almanac::format
