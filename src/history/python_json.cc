#include "history/python_json.h"

#include <algorithm>
#include <vector>

#include <openssl/sha.h>

#include "core/float_repr.h"
#include "format/json_writer.h"

namespace almanac::history {
namespace {

using format::JsonValue;

void AppendObject(const JsonValue::Object& members, PyJsonStyle style, std::string& out) {
  std::vector<const std::pair<std::string, JsonValue>*> sorted;
  sorted.reserve(members.size());
  for (const auto& member : members) sorted.push_back(&member);
  // Stable: among equal keys the last one (json.loads' winner) ends its run.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->first < b->first; });
  const bool hash = style == PyJsonStyle::kHash;
  out += '{';
  bool first = true;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1]->first == sorted[i]->first) continue;
    if (!first) out += hash ? "," : ", ";
    first = false;
    format::AppendJsonString(sorted[i]->first, out, hash);
    out += hash ? ":" : ": ";
    AppendPyJson(sorted[i]->second, style, out);
  }
  out += '}';
}

}  // namespace

void AppendPyJson(const JsonValue& value, PyJsonStyle style, std::string& out) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      out += "null";
      return;
    case JsonValue::Type::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case JsonValue::Type::kInt:
      out += std::to_string(value.as_int());
      return;
    case JsonValue::Type::kDouble:
      AppendPythonFloat(value.as_double(), out);
      return;
    case JsonValue::Type::kString:
      format::AppendJsonString(value.as_string(), out, style == PyJsonStyle::kHash);
      return;
    case JsonValue::Type::kArray: {
      out += '[';
      bool first = true;
      for (const JsonValue& item : value.as_array()) {
        if (!first) out += style == PyJsonStyle::kHash ? "," : ", ";
        first = false;
        AppendPyJson(item, style, out);
      }
      out += ']';
      return;
    }
    case JsonValue::Type::kObject:
      AppendObject(value.as_object(), style, out);
      return;
  }
}

std::string PyJson(const JsonValue& value, PyJsonStyle style) {
  std::string out;
  AppendPyJson(value, style, out);
  return out;
}

HexDigest Sha1(std::string_view text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  HexDigest hex;
  for (size_t i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

std::string Sha1Hex(std::string_view text) { return std::string(View(Sha1(text))); }

}  // namespace almanac::history
