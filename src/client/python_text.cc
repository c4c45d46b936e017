#include "client/python_text.h"

#include <cmath>

#include "core/float_repr.h"
#include "core/utf8.h"
#include "format/json_writer.h"

namespace almanac::client {
namespace {

using format::JsonValue;

void AppendJsonFloat(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    AppendPythonFloat(v, out);
  }
}

void Newline(int indent, int level, std::string& out) {
  out += '\n';
  out.append(static_cast<size_t>(indent) * static_cast<size_t>(level), ' ');
}

void AppendLevel(const JsonValue& v, int indent, int level, std::string& out) {
  switch (v.type()) {
    case JsonValue::Type::kNull:
      out += "null";
      return;
    case JsonValue::Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case JsonValue::Type::kInt:
      out += std::to_string(v.as_int());
      return;
    case JsonValue::Type::kDouble:
      AppendJsonFloat(v.as_double(), out);
      return;
    case JsonValue::Type::kString:
      format::AppendJsonString(v.as_string(), out);
      return;
    case JsonValue::Type::kArray:
    case JsonValue::Type::kObject:
      break;
  }
  bool is_array = v.is_array();
  size_t size = is_array ? v.as_array().size() : v.as_object().size();
  out += is_array ? '[' : '{';
  if (size == 0) {
    out += is_array ? ']' : '}';
    return;
  }
  for (size_t i = 0; i < size; ++i) {
    if (i > 0) out += indent >= 0 ? "," : ", ";
    if (indent >= 0) Newline(indent, level + 1, out);
    if (is_array) {
      AppendLevel(v.as_array()[i], indent, level + 1, out);
    } else {
      const auto& [key, value] = v.as_object()[i];
      format::AppendJsonString(key, out);
      out += ": ";
      AppendLevel(value, indent, level + 1, out);
    }
  }
  if (indent >= 0) Newline(indent, level, out);
  out += is_array ? ']' : '}';
}

// repr() of a str: single quotes unless the text holds ' and no ".
void AppendPyStringRepr(std::string_view s, std::string& out) {
  char quote =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  out += quote;
  for (size_t i = 0; i < s.size();) {
    Utf8Char c = DecodeUtf8(s, i);
    uint32_t cp = c.code_point;
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      out += "\\x";
      out += kHex[cp >> 4];
      out += kHex[cp & 15];
    } else {
      out.append(s.substr(i, c.length));
    }
    i += c.length ? c.length : 1;
  }
  out += quote;
}

void AppendRepr(const JsonValue& v, std::string& out) {
  switch (v.type()) {
    case JsonValue::Type::kString:
      AppendPyStringRepr(v.as_string(), out);
      return;
    case JsonValue::Type::kArray: {
      out += '[';
      bool first = true;
      for (const JsonValue& item : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        AppendRepr(item, out);
      }
      out += ']';
      return;
    }
    case JsonValue::Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : v.as_object()) {
        if (!first) out += ", ";
        first = false;
        AppendPyStringRepr(key, out);
        out += ": ";
        AppendRepr(value, out);
      }
      out += '}';
      return;
    }
    default:
      out += PyStr(v);
  }
}

}  // namespace

void AppendPyJson(const JsonValue& value, int indent, std::string& out, int level) {
  AppendLevel(value, indent, level, out);
}

std::string PyJsonDumps(const JsonValue& value, int indent) {
  std::string out;
  AppendLevel(value, indent, 0, out);
  return out;
}

std::string PyStr(const JsonValue& value) {
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
      return PyRepr(value);
  }
}

std::string PyRepr(const JsonValue& value) {
  std::string out;
  AppendRepr(value, out);
  return out;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    Utf8Char c = DecodeUtf8(s, i);
    i += c.length ? c.length : 1;
  }
  return n;
}

}  // namespace almanac::client
