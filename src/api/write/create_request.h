// The body of POST /<db>/-/create, checked as Datasette's pydantic CreateTableRequest checks it
// (field errors first, then the request-level rules, with pydantic's messages), into the
// state the write itself (create.cc) works from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "format/json_value.h"

namespace almanac::api::write {

// One entry of "columns", validated (type as SQL, default as a value or an SQL expression).
struct ColumnRequest {
  std::string name;
  std::string type = "TEXT";
  bool not_null = false;
  std::optional<Value> default_value;
  std::optional<std::string> default_expr;  // SQL
  std::optional<std::string> fk_table;
  std::optional<std::string> fk_column;
};

// The parsed request, shared with the write on the writer thread.
struct CreateState {
  format::JsonValue body;
  std::string table;
  std::vector<ColumnRequest> columns;
  std::vector<const format::JsonValue*> rows;
  std::vector<std::string> pks;
  bool ignore = false;
  bool replace = false;
  bool alter_requested = false;
  bool alter = false;
  std::string schema;  // the CREATE statement afterwards
};

// "columns" entry by entry, and the booleans ignore, replace and alter.
Status ValidateCreateFields(CreateState& s);
// The request-level checks (table, rows/row/columns, pk/pks, ...), in Datasette's order.
Status ValidateCreateRequest(CreateState& s);

}  // namespace almanac::api::write
