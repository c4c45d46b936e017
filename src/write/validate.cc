#include "write/validate.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/text.h"

namespace almanac::write {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDefaultExprs = {{
    {"current_timestamp", "CURRENT_TIMESTAMP"},
    {"current_date", "CURRENT_DATE"},
    {"current_time", "CURRENT_TIME"},
    {"current_unixtime", "(CAST(strftime('%s', 'now') AS INTEGER))"},
    {"current_unixtime_ms", "(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))"},
}};

}  // namespace

Result<bool> LaxBool(const format::JsonValue& value, std::string_view loc) {
  std::string prefix = loc.empty() ? "" : std::string(loc) + ": ";
  if (value.is_bool()) return value.as_bool();
  if (value.is_int() && (value.as_int() == 0 || value.as_int() == 1)) return value.as_int() == 1;
  if (value.is_number() && !value.is_int()) {
    double d = value.as_double();
    if (d == 0.0 || d == 1.0) return d == 1.0;
  }
  if (value.is_string()) {
    std::string s = AsciiLower(value.as_string());
    for (std::string_view yes : {"1", "on", "t", "true", "y", "yes"}) {
      if (s == yes) return true;
    }
    for (std::string_view no : {"0", "off", "f", "false", "n", "no"}) {
      if (s == no) return false;
    }
  }
  if (value.is_string() || value.is_number()) {
    return InvalidArgument(prefix + "Input should be a valid boolean, unable to interpret input");
  }
  return InvalidArgument(prefix + "Input should be a valid boolean");
}

std::optional<std::string> SqlTypeFor(std::string_view api_type) {
  if (api_type == "text") return "TEXT";
  if (api_type == "integer") return "INTEGER";
  if (api_type == "float") return "REAL";
  if (api_type == "blob") return "BLOB";
  return std::nullopt;
}

std::optional<std::string> DefaultExprSql(std::string_view name) {
  for (const auto& [key, sql] : kDefaultExprs) {
    if (key == name) return std::string(sql);
  }
  return std::nullopt;
}

std::string DefaultExprError() {
  std::string out = "Input should be ";
  for (size_t i = 0; i < kDefaultExprs.size(); ++i) {
    if (i == kDefaultExprs.size() - 1) {
      out += " or ";
    } else if (i) {
      out += ", ";
    }
    out += "'" + std::string(kDefaultExprs[i].first) + "'";
  }
  return out;
}

bool ValidTableName(std::string_view name) {
  return !name.empty() && !name.starts_with("sqlite_") && name.find('\n') == std::string::npos;
}

std::vector<std::string> ExtraKeys(const format::JsonValue& object,
                                   const std::vector<std::string_view>& allowed) {
  std::vector<std::string> extra;
  if (!object.is_object()) return extra;
  for (const auto& [key, value] : object.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) extra.push_back(key);
  }
  return extra;
}

}  // namespace almanac::write
