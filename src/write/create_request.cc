#include "write/create_request.h"

#include <algorithm>
#include <set>

#include "write/cells.h"
#include "write/validate.h"

namespace almanac::write {
namespace {

using format::JsonValue;

bool Truthy(const JsonValue* v) { return v && v->Truthy(); }

std::string Str(const JsonValue& v) {
  return v.is_string() ? v.as_string() : format::ToJsonText(v);
}

// One entry of "columns": field errors first (as pydantic reports them), then the model checks.
Status ValidateColumn(const JsonValue& column, size_t i, ColumnSpec& out) {
  std::string loc = "columns." + std::to_string(i);
  std::vector<std::string> errors;
  for (const std::string& key : ExtraKeys(column, {"name", "type", "fk_table", "fk_column",
                                                   "not_null", "default", "default_expr"})) {
    errors.push_back(loc + "." + key + ": Extra inputs are not permitted");
  }
  const JsonValue* expr = column.Find("default_expr");
  if (expr && !expr->is_null()) {
    if (!expr->is_string()) {
      errors.push_back(loc + ".default_expr: Input should be a valid string");
    } else if (!DefaultExprSql(expr->as_string())) {
      errors.push_back(loc + ".default_expr: " + DefaultExprError());
    }
  }
  if (const JsonValue* nn = column.Find("not_null")) {
    Result<bool> b = LaxBool(*nn, loc + ".not_null");
    if (!b.ok()) errors.push_back(b.status().message());
    if (b.ok()) out.not_null = *b;
  }
  for (const char* key : {"fk_table", "fk_column"}) {
    const JsonValue* v = column.Find(key);
    if (v && !v->is_null() && !v->is_string()) {
      errors.push_back(loc + "." + key + ": Input should be a valid string");
    }
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  const JsonValue* def = column.Find("default");
  if (def && expr) {
    return InvalidArgument(loc + ": Value error, default and default_expr cannot both be provided");
  }
  if (expr && expr->is_null()) {
    return InvalidArgument(loc + ": Value error, default_expr cannot be null");
  }
  const JsonValue* name = column.Find("name");
  if (!name || !name->is_string() || name->as_string().empty()) {
    return InvalidArgument("Column name is required");
  }
  out.name = name->as_string();
  const JsonValue* type = column.Find("type");
  if (type && type->Truthy()) {
    std::optional<std::string> sql_type =
        type->is_string() ? SqlTypeFor(type->as_string()) : std::nullopt;
    if (!sql_type) return InvalidArgument("Unsupported column type: " + Str(*type));
    out.type = *sql_type;
  }
  const JsonValue* fk_table = column.Find("fk_table");
  const JsonValue* fk_column = column.Find("fk_column");
  if (Truthy(fk_column) && !Truthy(fk_table)) {
    return InvalidArgument(loc + ": fk_column requires fk_table");
  }
  if (Truthy(fk_table)) out.fk_table = fk_table->as_string();
  if (Truthy(fk_column)) out.fk_column = fk_column->as_string();
  if (def && !def->is_null()) {
    if (def->is_array() || def->is_object()) {
      return InvalidArgument(loc + ".default: Input should be a string, number or boolean");
    }
    ALM_ASSIGN_OR_RETURN(out.default_value, CellValue(*def));
  }
  if (expr) out.default_expr = DefaultExprSql(expr->as_string());
  return Status::Ok();
}

}  // namespace

// Field-level checks: "columns" and the three booleans.
Status ValidateCreateFields(const JsonValue& data, CreateRequest& r) {
  std::vector<std::string> errors;
  const JsonValue* columns = data.Find("columns");
  if (columns && !columns->is_null()) {
    if (!columns->is_array()) return InvalidArgument("columns must be a list");
    for (const JsonValue& c : columns->as_array()) {
      if (!c.is_object()) return InvalidArgument("columns must be a list of objects");
    }
    for (size_t i = 0; i < columns->as_array().size(); ++i) {
      ColumnSpec column;
      Status st = ValidateColumn(columns->as_array()[i], i, column);
      if (!st.ok()) {
        errors.insert(errors.end(), st.messages().begin(), st.messages().end());
      } else {
        r.args.columns.push_back(std::move(column));
      }
    }
  }
  for (const char* key : {"ignore", "replace", "alter"}) {
    const JsonValue* v = data.Find(key);
    if (!v || v->is_null()) continue;
    Result<bool> b = LaxBool(*v, key);
    if (!b.ok()) {
      errors.push_back(b.status().message());
      continue;
    }
    bool& target = std::string_view(key) == "ignore"    ? r.ignore
                   : std::string_view(key) == "replace" ? r.replace
                                                        : r.alter_requested;
    target = *b;
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  return Status::Ok();
}

// The request-level checks of Datasette's CreateTableRequest, in its order.
Status ValidateCreateRequest(const JsonValue& data, CreateRequest& r) {
  CreateArgs& s = r.args;
  const JsonValue* table = data.Find("table");
  const JsonValue* rows = data.Find("rows");
  const JsonValue* row = data.Find("row");
  const JsonValue* pk = data.Find("pk");
  const JsonValue* pks = data.Find("pks");
  if (!Truthy(table)) return InvalidArgument("Table is required");
  if (!table->is_string() || !ValidTableName(table->as_string())) {
    return InvalidArgument("Invalid table name");
  }
  s.table = table->as_string();
  bool has_columns = !s.columns.empty();
  if (!has_columns && !Truthy(rows) && !Truthy(row)) {
    return InvalidArgument("columns, rows or row is required");
  }
  if (Truthy(rows) && Truthy(row)) return InvalidArgument("Cannot specify both rows and row");
  if (has_columns && (Truthy(rows) || Truthy(row))) {
    return InvalidArgument("Cannot specify columns with rows or row");
  }
  ALM_RETURN_IF_ERROR(CheckDuplicateColumns(s.columns));
  if (rows && !rows->is_null()) {
    if (!rows->is_array()) return InvalidArgument("rows must be a list");
    for (const JsonValue& item : rows->as_array()) {
      if (!item.is_object()) return InvalidArgument("rows must be a list of objects");
    }
  }
  if (pk && !pk->is_null() && !pk->is_string()) return InvalidArgument("pk must be a string");
  if (Truthy(pk) && Truthy(pks)) return InvalidArgument("Cannot specify both pk and pks");
  if (pks && !pks->is_null()) {
    if (!pks->is_array()) return InvalidArgument("pks must be a list");
    for (const JsonValue& p : pks->as_array()) {
      if (!p.is_string()) return InvalidArgument("pks must be a list of strings");
    }
  }
  if (r.ignore && r.replace) return InvalidArgument("ignore and replace are mutually exclusive");
  if (data.Find("ignore") || data.Find("replace")) {
    if (!Truthy(row) && !Truthy(rows)) {
      return InvalidArgument("ignore and replace require row or rows");
    }
    if (!Truthy(pk) && !Truthy(pks)) return InvalidArgument("ignore and replace require pk or pks");
  }
  if (Truthy(row)) {
    if (!row->is_object()) return InvalidArgument("row must be an object");
    r.rows.push_back(row);
  } else if (Truthy(rows)) {
    for (const JsonValue& item : rows->as_array()) r.rows.push_back(&item);
  }
  if (Truthy(pk)) {
    s.pks.push_back(pk->as_string());
  } else if (Truthy(pks)) {
    for (const JsonValue& p : pks->as_array()) s.pks.push_back(p.as_string());
  }
  return Status::Ok();
}

Status CheckDuplicateColumns(const std::vector<ColumnSpec>& columns) {
  std::vector<std::string> seen;
  std::vector<std::string> duplicates;
  for (const ColumnSpec& c : columns) {
    bool dup = std::find(seen.begin(), seen.end(), c.name) != seen.end();
    if (dup && std::find(duplicates.begin(), duplicates.end(), c.name) == duplicates.end()) {
      duplicates.push_back(c.name);
    }
    seen.push_back(c.name);
  }
  if (duplicates.empty()) return Status::Ok();
  std::string names;
  for (const std::string& d : duplicates) names += (names.empty() ? "" : ", ") + d;
  return InvalidArgument("Duplicate column name: " + names);
}

}  // namespace almanac::write
