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

void AssignFromSqlite(Value& out, sqlite3_value* value) {
  if (!value) {
    out.AssignNull();
    return;
  }
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER:
      out.AssignInteger(sqlite3_value_int64(value));
      return;
    case SQLITE_FLOAT:
      out.AssignReal(sqlite3_value_double(value));
      return;
    case SQLITE_TEXT:
      // The text first, its length after (SQLite's rule: the length of the form last asked).
      out.AssignText(BytesOf(sqlite3_value_text(value), value));
      return;
    case SQLITE_BLOB:
      out.AssignBlob(BytesOf(sqlite3_value_blob(value), value));
      return;
    default:
      out.AssignNull();
  }
}

}  // namespace almanac::db
