// The body of POST /<db>/-/create, checked as Datasette's pydantic CreateTableRequest checks it
// (field errors first, then the request-level rules, with pydantic's messages), into the
// CreateArgs the write works from. Internal to write/: ParseCreate (create.h) is the entry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"
#include "write/create.h"

namespace almanac::write {

// The body being checked: the typed arguments so far, the rows still as JSON (decoded once the
// whole request is known to be well formed) and the flags as given.
struct CreateRequest {
  CreateArgs args;
  std::vector<const format::JsonValue*> rows;
  bool ignore = false;
  bool replace = false;
  bool alter_requested = false;
};

// "columns" entry by entry, and the booleans ignore, replace and alter.
Status ValidateCreateFields(const format::JsonValue& data, CreateRequest& r);
// The request-level checks (table, rows/row/columns, pk/pks, ...), in Datasette's order.
Status ValidateCreateRequest(const format::JsonValue& data, CreateRequest& r);

// "Duplicate column name: a, b" when a column is named twice.
Status CheckDuplicateColumns(const std::vector<ColumnSpec>& columns);

}  // namespace almanac::write
