// Checks that mirror the messages of Datasette's pydantic request models (create and alter):
// booleans in pydantic's lax mode, the default/default_expr pair, the API's column types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::write {

// pydantic's lax bool: true/false, 0/1, and "true", "yes", "on", "1", "t", "y" (and their
// negatives). Otherwise "<loc>: Input should be a valid boolean[, unable to interpret input]".
Result<bool> LaxBool(const format::JsonValue& value, std::string_view loc);

// "text" -> TEXT, "integer" -> INTEGER, "float" -> REAL, "blob" -> BLOB; nullopt otherwise.
std::optional<std::string> SqlTypeFor(std::string_view api_type);

// The SQL of a default_expr name (current_timestamp, ...), or nullopt when unknown.
std::optional<std::string> DefaultExprSql(std::string_view name);
// "Input should be 'current_timestamp', 'current_date', ... or 'current_unixtime_ms'"
std::string DefaultExprError();

// Table names may not start with "sqlite_" or contain a newline.
bool ValidTableName(std::string_view name);

// The keys of `object` not in `allowed`, in the object's order.
std::vector<std::string> ExtraKeys(const format::JsonValue& object,
                                   const std::vector<std::string_view>& allowed);

}  // namespace almanac::write
