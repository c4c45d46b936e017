#include "format/json_value.h"

#include <simdjson.h>

#include "core/float_repr.h"
#include "format/json_writer.h"

namespace almanac::format {
namespace {

JsonValue Convert(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::ARRAY: {
      JsonValue::Array items;
      simdjson::dom::array array = element.get_array().value_unsafe();
      items.reserve(array.size());  // O(1) in the DOM's tape (saturates at 2^24 - 1)
      for (simdjson::dom::element child : array) {
        items.push_back(Convert(child));
      }
      return JsonValue::MakeArray(std::move(items));
    }
    case simdjson::dom::element_type::OBJECT: {
      JsonValue::Object members;
      simdjson::dom::object object = element.get_object().value_unsafe();
      members.reserve(object.size());
      for (simdjson::dom::key_value_pair field : object) {
        members.emplace_back(std::string(field.key), Convert(field.value));
      }
      return JsonValue::MakeObject(std::move(members));
    }
    case simdjson::dom::element_type::INT64:
      return JsonValue::Int(element.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return JsonValue::Double(static_cast<double>(element.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE:
      return JsonValue::Double(element.get_double().value_unsafe());
    case simdjson::dom::element_type::STRING:
      return JsonValue::String(std::string(element.get_string().value_unsafe()));
    case simdjson::dom::element_type::BOOL:
      return JsonValue::Bool(element.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return JsonValue();
  }
  return JsonValue();
}

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : as_object()) {
    if (k == key) return &v;
  }
  return nullptr;
}

void JsonValue::Set(std::string key, JsonValue value) {
  for (auto& [k, v] : as_object()) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  as_object().emplace_back(std::move(key), std::move(value));
}

bool JsonValue::Truthy() const {
  switch (type()) {
    case Type::kNull:
      return false;
    case Type::kBool:
      return as_bool();
    case Type::kInt:
      return as_int() != 0;
    case Type::kDouble:
      return as_double() != 0.0;
    case Type::kString:
      return !as_string().empty();
    case Type::kArray:
      return !as_array().empty();
    case Type::kObject:
      return !as_object().empty();
  }
  return false;
}

namespace {

Status ParseError(simdjson::error_code error) {
  std::string why =
      error == simdjson::DEPTH_ERROR ? "nesting is too deep" : simdjson::error_message(error);
  return InvalidArgument("Invalid JSON: " + why);
}

}  // namespace

Result<JsonValue> ParseJson(std::string_view text) {
  // One parser per thread: simdjson reuses its buffers between documents.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::error_code error = parser.parse(padded).get(root);
  if (error) return ParseError(error);
  return Convert(root);
}

Status ValidateJson(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code error = parser.parse(text.data(), text.size(), true).get(root);
  return error ? ParseError(error) : Status::Ok();
}

void WriteJson(const JsonValue& value, JsonWriter& writer) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      writer.Null();
      return;
    case JsonValue::Type::kBool:
      writer.Bool(value.as_bool());
      return;
    case JsonValue::Type::kInt:
      writer.Int(value.as_int());
      return;
    case JsonValue::Type::kDouble:
      writer.Double(value.as_double());
      return;
    case JsonValue::Type::kString:
      writer.String(value.as_string());
      return;
    case JsonValue::Type::kArray:
      writer.BeginArray();
      for (const JsonValue& item : value.as_array()) WriteJson(item, writer);
      writer.EndArray();
      return;
    case JsonValue::Type::kObject:
      writer.BeginObject();
      for (const auto& [key, member] : value.as_object()) {
        writer.Key(key);
        WriteJson(member, writer);
      }
      writer.EndObject();
      return;
  }
}

std::string ToJsonText(const JsonValue& value) {
  std::string out;
  JsonWriter writer(out);
  WriteJson(value, writer);
  return out;
}

std::string PythonStr(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      return "None";
    case JsonValue::Type::kBool:
      return value.as_bool() ? "True" : "False";
    case JsonValue::Type::kInt:
      return std::to_string(value.as_int());
    case JsonValue::Type::kDouble:
      return PythonFloat(value.as_double());
    case JsonValue::Type::kString:
      return value.as_string();
    default:
      return ToJsonText(value);
  }
}

}  // namespace almanac::format
