#include "db/sqlite_value.h"

#include <string>

#include <sqlite3.h>

namespace almanac::db {

Value ValueFromSqlite(sqlite3_value* value) {
  if (!value) return Value::Null();
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER:
      return Value::Integer(sqlite3_value_int64(value));
    case SQLITE_FLOAT:
      return Value::Real(sqlite3_value_double(value));
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
      return Value::Text(
          std::string(text ? text : "", static_cast<size_t>(sqlite3_value_bytes(value))));
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const char*>(sqlite3_value_blob(value));
      return Value::BlobOf(
          std::string(blob ? blob : "", static_cast<size_t>(sqlite3_value_bytes(value))));
    }
    default:
      return Value::Null();
  }
}

}  // namespace almanac::db
