#include "config/document.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace almanac::config {
namespace {

using format::JsonValue;

JsonValue TypedScalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") return JsonValue::String(s);  // quoted or explicitly tagged
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return JsonValue();
  if (s == "true" || s == "True" || s == "TRUE") return JsonValue::Bool(true);
  if (s == "false" || s == "False" || s == "FALSE") return JsonValue::Bool(false);
  int64_t i = 0;
  auto [iend, iec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (iec == std::errc() && iend == s.data() + s.size()) return JsonValue::Int(i);
  double d = 0;
  auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
  bool numeric_start = (s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '.' || s[0] == '+';
  if (numeric_start && dec == std::errc() && dend == s.data() + s.size()) {
    return JsonValue::Double(d);
  }
  return JsonValue::String(s);
}

JsonValue FromYaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      JsonValue::Object members;
      for (const auto& item : node) {
        members.emplace_back(item.first.as<std::string>(), FromYaml(item.second));
      }
      return JsonValue::MakeObject(std::move(members));
    }
    case YAML::NodeType::Sequence: {
      JsonValue::Array items;
      for (const auto& item : node) items.push_back(FromYaml(item));
      return JsonValue::MakeArray(std::move(items));
    }
    case YAML::NodeType::Scalar:
      return TypedScalar(node);
    default:
      return JsonValue();
  }
}

}  // namespace

Result<format::JsonValue> ParseDocument(std::string_view text, std::string_view source_name) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    Result<JsonValue> parsed = format::ParseJson(text);
    if (parsed.ok()) return parsed;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return JsonValue::MakeObject();
    JsonValue value = FromYaml(root);
    if (!value.is_object()) {
      return InvalidArgument(std::string(source_name) + " must contain a JSON/YAML object");
    }
    return value;
  } catch (const YAML::Exception& e) {
    return InvalidArgument("Could not parse " + std::string(source_name) + ": " + e.what());
  }
}

Result<format::JsonValue> LoadDocument(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int error = errno;
    return NotFound("Could not read " + path + ": " +
                    (error != 0 ? std::strerror(error) : "cannot open the file"));
  }
  if (std::filesystem::is_directory(path)) {
    return InvalidArgument("Could not read " + path + ": it is a directory, not a file");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseDocument(buffer.str(), path);
}

}  // namespace almanac::config
