// The operations of POST /<db>/<table>/-/alter, parsed and validated with the messages of
// Datasette's pydantic models ("operations.0.add_column.args.name: Field required", ...), and
// folded into one plan: columns to add with ALTER TABLE, then one table rebuild for the rest.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "format/json_value.h"

namespace almanac::write {

// A default for a column: a literal to quote, an expression's SQL, or none (removes it).
struct DefaultSpec {
  std::optional<Value> literal;
  std::optional<std::string> expr_sql;
  bool none() const { return !literal && !expr_sql; }
};

struct AddColumn {
  std::string name;
  std::string type = "TEXT";
  bool not_null = false;
  std::optional<DefaultSpec> default_value;  // set when "default" or "default_expr" was given
};

struct ForeignKeySpec {
  std::string column;
  std::string fk_table;
  std::optional<std::string> fk_column;  // the other table's primary key when absent
};

struct AlterPlan {
  size_t operations = 0;
  std::vector<AddColumn> add_columns;
  std::map<std::string, std::string> types;   // column -> SQL type
  std::map<std::string, std::string> rename;  // old -> new
  std::optional<std::string> rename_table_to;
  std::vector<std::string> drop;
  std::map<std::string, bool> not_null;
  std::map<std::string, DefaultSpec> defaults;
  std::optional<std::vector<std::string>> column_order;
  std::optional<std::vector<std::string>> primary_keys;
  std::vector<ForeignKeySpec> add_foreign_keys;
  std::vector<std::string> drop_foreign_keys;
  std::optional<std::vector<ForeignKeySpec>> foreign_keys;

  // Whether anything beyond ADD COLUMN needs the table rebuilt.
  bool NeedsRebuild() const;
};

// Parses {"operations": [...]} into a plan. Errors are InvalidArgument with pydantic's wording.
Result<AlterPlan> ParseAlterRequest(const format::JsonValue& body);

}  // namespace almanac::write
