#include "changes/change_options.h"

#include <string>

namespace almanac::changes {
namespace {

Result<int64_t> NonNegative(const format::JsonValue& value, const std::string& key) {
  if (!value.is_number() || value.as_double() < 0) {
    return InvalidArgument("changes." + key + " must be a number of zero or more");
  }
  return static_cast<int64_t>(value.as_double());
}

}  // namespace

Result<std::optional<ChangeLogOptions>> ParseChangeLogOptions(const format::JsonValue* db_config) {
  if (!db_config || !db_config->is_object()) return std::optional<ChangeLogOptions>();
  const format::JsonValue* block = db_config->Find("changes");
  if (!block || block->is_null()) return std::optional<ChangeLogOptions>();
  ChangeLogOptions options;
  if (block->is_bool()) {
    if (!block->as_bool()) return std::optional<ChangeLogOptions>();
    return std::optional<ChangeLogOptions>(options);
  }
  if (!block->is_object()) {
    return InvalidArgument("changes must be true, false or an object of options");
  }
  for (const auto& [key, value] : block->as_object()) {
    if (key == "enabled") {
      if (!value.is_bool()) return InvalidArgument("changes.enabled must be true or false");
      if (!value.as_bool()) return std::optional<ChangeLogOptions>();
    } else if (key == "old_values") {
      if (!value.is_bool()) return InvalidArgument("changes.old_values must be true or false");
      options.old_values = value.as_bool();
    } else if (key == "max_rows") {
      ALM_ASSIGN_OR_RETURN(options.max_rows, NonNegative(value, key));
    } else if (key == "max_age_days") {
      if (!value.is_number() || value.as_double() < 0) {
        return InvalidArgument("changes.max_age_days must be a number of zero or more");
      }
      options.max_age_ms = static_cast<int64_t>(value.as_double() * 86'400'000.0);
    } else if (key == "heartbeat_seconds") {
      if (!value.is_number() || value.as_double() <= 0) {
        return InvalidArgument("changes.heartbeat_seconds must be a number above zero");
      }
      options.heartbeat = std::chrono::milliseconds(static_cast<int64_t>(value.as_double() * 1000));
    } else {
      return InvalidArgument("Unknown option changes." + key +
                             " (known: enabled, old_values, max_rows, max_age_days, "
                             "heartbeat_seconds)");
    }
  }
  return std::optional<ChangeLogOptions>(options);
}

}  // namespace almanac::changes
