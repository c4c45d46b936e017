// An sqlite3_value (a function's argument, a pre-update hook's old or new value) as a Value.
#pragma once

#include <cstddef>

#include "core/value.h"

struct sqlite3_value;

namespace almanac::db {

// NULL for a null pointer.
Value ValueFromSqlite(sqlite3_value* value);
// The same, into `out`, reusing its text buffer (Value::AssignText). Returns the bytes of
// text or blob copied (0 for other types).
size_t AssignFromSqlite(Value& out, sqlite3_value* value);

}  // namespace almanac::db
