#include "db/sqlite_value.h"

#include <string>
#include <string_view>

#include <sqlite3.h>

namespace almanac::db {
namespace {

std::string_view BytesOf(const void* bytes, sqlite3_value* value) {
  if (!bytes) return {};
  return {static_cast<const char*>(bytes), static_cast<size_t>(sqlite3_value_bytes(value))};
}

}  // namespace

Value ValueFromSqlite(sqlite3_value* value) {
  Value out;
  AssignFromSqlite(out, value);
  return out;
}

size_t AssignFromSqlite(Value& out, sqlite3_value* value) {
  if (!value) {
    out.AssignNull();
    return 0;
  }
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER:
      out.AssignInteger(sqlite3_value_int64(value));
      return 0;
    case SQLITE_FLOAT:
      out.AssignReal(sqlite3_value_double(value));
      return 0;
    case SQLITE_TEXT: {
      // The text first, its length after (SQLite's rule: the length of the form last asked).
      std::string_view text = BytesOf(sqlite3_value_text(value), value);
      out.AssignText(text);
      return text.size();
    }
    case SQLITE_BLOB: {
      std::string_view blob = BytesOf(sqlite3_value_blob(value), value);
      out.AssignBlob(blob);
      return blob.size();
    }
    default:
      out.AssignNull();
      return 0;
  }
}

}  // namespace almanac::db
