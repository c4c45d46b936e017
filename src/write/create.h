// Creating a table (Datasette's TableCreateView): from explicit columns, or from example rows
// (types inferred as sqlite-utils does) which are then inserted — into the existing table when
// there is one. Parse, check, run, as every write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "core/value.h"
#include "db/schema.h"
#include "db/write_queue.h"
#include "format/json_value.h"
#include "sql/write_sql.h"
#include "write/cells.h"

namespace almanac::write {

// One explicit column.
struct ColumnSpec {
  std::string name;
  std::string type = "TEXT";  // SQL: TEXT, INTEGER, REAL or BLOB
  bool not_null = false;
  std::optional<Value> default_value;
  std::optional<std::string> default_expr;  // SQL, from DefaultExprSql() (validate.h)
  std::optional<std::string> fk_table;
  std::optional<std::string> fk_column;  // fk_table's primary key when absent
};

struct CreateArgs {
  std::string table;
  std::vector<ColumnSpec> columns;  // either columns ...
  std::vector<Row> rows;            // ... or rows
  std::vector<std::string> pks;     // missing key columns are added first, as INTEGER
  sql::OnConflict on_conflict = sql::OnConflict::kAbort;  // for the rows
  // With rows: add the columns they have and the table lacks. Always set when the table does not
  // exist yet (its columns come from the rows).
  bool alter = false;
};

struct CreateResult {
  std::string schema;  // the table's CREATE statement afterwards
};

// The body of POST /<db>/-/create, checked as Datasette's pydantic CreateTableRequest checks it,
// then against `schema`: an existing table keeps its primary key ("pk cannot be changed for
// existing table" otherwise) and its rows are added to it.
Result<CreateArgs> ParseCreate(const format::JsonValue& body, const db::Schema& schema);

// The checks of ParseCreate that apply to arguments built directly, then the same resolution
// against `schema` (which may set `pks` and `alter`).
Status ValidateCreate(CreateArgs& args, const db::Schema& schema);

// create-table; update-row for kReplace; insert-row for rows; alter-table to alter an existing
// table. With `args` left empty it checks what is needed before the body is read.
Status CheckCreate(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const CreateArgs& args, const db::Schema& schema);

// Creates the table (or adds the rows to the existing one).
Result<CreateResult> RunCreate(db::WriteContext& ctx, const CreateArgs& args);

}  // namespace almanac::write
