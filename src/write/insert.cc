#include "write/insert.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "write/checks.h"
#include "write/table_ops.h"

namespace almanac::write {
namespace {

using format::JsonValue;

bool Has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// What the per-row checks look at: a row's columns and which of them are null.
struct RowShape {
  std::vector<std::string> columns;
  std::vector<bool> nulls;
};

RowShape ShapeOf(const JsonValue& row) {
  RowShape shape;
  for (const auto& [key, value] : row.as_object()) {
    shape.columns.push_back(key);
    shape.nulls.push_back(value.is_null());
  }
  return shape;
}

RowShape ShapeOf(const Row& row) {
  RowShape shape;
  shape.columns = row.columns;
  for (const Value& v : row.values) shape.nulls.push_back(v.is_null());
  return shape;
}

// Every row against the table: keys for upserts, and no unknown columns unless `alter`.
Status CheckRows(const std::vector<RowShape>& rows, const db::TableInfo& table, bool upsert,
                 bool alter) {
  std::vector<std::string> keys = KeyColumns(table);
  std::vector<std::string> columns = table.ColumnNames();
  columns.insert(columns.end(), keys.begin(), keys.end());
  std::vector<std::string> errors;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RowShape& r = rows[i];
    std::string prefix = "Row " + std::to_string(i);
    if (upsert) {
      std::vector<std::string> missing;
      std::vector<std::string> null_keys;
      for (const std::string& key : keys) {
        auto it = std::find(r.columns.begin(), r.columns.end(), key);
        if (it == r.columns.end()) {
          missing.push_back(key);
        } else if (r.nulls[static_cast<size_t>(it - r.columns.begin())]) {
          null_keys.push_back(key);
        }
      }
      if (!missing.empty()) {
        errors.push_back(prefix + " is missing primary key column(s): \"" +
                         Join(missing, "\", \"") + "\"");
      }
      if (!null_keys.empty()) {
        errors.push_back(prefix + " has null primary key column(s): \"" +
                         Join(null_keys, "\", \"") + "\"");
      }
    }
    std::vector<std::string> unknown;
    for (const std::string& key : r.columns) {
      if (!Has(columns, key)) unknown.push_back(key);
    }
    if (!unknown.empty() && !alter) {
      std::sort(unknown.begin(), unknown.end());
      errors.push_back(prefix + " has invalid columns: " + Join(unknown, ", "));
    }
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  return Status::Ok();
}

Status CheckRowCount(size_t rows, int64_t max_rows) {
  if (static_cast<int64_t>(rows) > max_rows) {
    return InvalidArgument("Too many rows, maximum allowed is " + std::to_string(max_rows));
  }
  return Status::Ok();
}

// "row" or "rows": the row objects, in order (a single "row" is returned by default).
Status RowsOf(const JsonValue& data, std::vector<const JsonValue*>& out, bool& return_rows) {
  const JsonValue* row = data.Find("row");
  const JsonValue* rows = data.Find("rows");
  if (!row && !rows) return InvalidArgument("JSON must have one or other of \"row\" or \"rows\"");
  if (row) {
    if (rows) return InvalidArgument("Cannot use \"row\" and \"rows\" at the same time");
    if (!row->is_object()) return InvalidArgument("\"row\" must be a dictionary");
    out.push_back(row);
    return_rows = true;
    return Status::Ok();
  }
  if (!rows->is_array()) return InvalidArgument("\"rows\" must be a list");
  for (const JsonValue& r : rows->as_array()) {
    if (!r.is_object()) return InvalidArgument("\"rows\" must be a list of dictionaries");
    out.push_back(&r);
  }
  return Status::Ok();
}

struct RowColumns {
  std::vector<sql::Identifier> columns;
  std::vector<Value> values;
};

RowColumns Columns(const Row& row, const std::vector<std::string>& skip) {
  RowColumns out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (Has(skip, row.columns[i])) continue;
    out.columns.push_back(sql::Identifier::FromSchema(row.columns[i]));
    out.values.push_back(row.values[i]);
  }
  return out;
}

Result<sql::RowKey> RowKeyOf(const Row& row, const std::vector<std::string>& keys) {
  sql::RowKey key;
  for (const std::string& k : keys) {
    const Value* cell = row.Find(k);
    if (!cell) return InvalidArgument("Row is missing primary key column: " + k);
    key.columns.push_back(sql::Identifier::FromSchema(k));
    key.values.push_back(*cell);
  }
  return key;
}

Status StepOnce(db::Connection& conn, const sql::Query& query) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  ALM_ASSIGN_OR_RETURN(bool unused, stmt.Step());
  (void)unused;
  return Status::Ok();
}

// One upsert row: update the columns it gives, or insert it when no row has its key.
Status UpsertRow(db::Connection& conn, const db::TableInfo& table, const Row& row) {
  std::vector<std::string> keys = KeyColumns(table);
  ALM_ASSIGN_OR_RETURN(sql::RowKey key, RowKeyOf(row, keys));
  sql::Identifier name = sql::Identifier::FromSchema(table.name);
  RowColumns set = Columns(row, keys);
  if (!set.columns.empty()) {
    ALM_RETURN_IF_ERROR(StepOnce(conn, sql::UpdateRow(name, set.columns, set.values, key)));
    if (conn.Changes() > 0) return Status::Ok();
  }
  RowColumns all = Columns(row, {});
  return StepOnce(conn, sql::InsertRow(name, all.columns, std::move(all.values),
                                       set.columns.empty() ? sql::OnConflict::kIgnore
                                                           : sql::OnConflict::kAbort));
}

// One insert row; returns the rowid of the row it wrote (or that an ignored row collided with).
Result<std::optional<int64_t>> InsertOne(db::Connection& conn, const db::TableInfo& table,
                                         const Row& row, sql::OnConflict mode) {
  sql::Identifier name = sql::Identifier::FromSchema(table.name);
  RowColumns all = Columns(row, {});
  ALM_RETURN_IF_ERROR(
      StepOnce(conn, sql::InsertRow(name, all.columns, std::move(all.values), mode)));
  if (conn.Changes() > 0) return std::optional<int64_t>(conn.LastInsertRowid());
  Result<sql::RowKey> key = RowKeyOf(row, KeyColumns(table));
  if (!key.ok() || table.without_rowid) return std::optional<int64_t>();
  ALM_ASSIGN_OR_RETURN(db::Rows found, FetchRows(conn, sql::SelectRowid(name, *key)));
  if (found.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(found.at(0, 0).integer());
}

Result<db::Rows> ReturnedInsertRows(db::Connection& conn, const db::TableInfo& table,
                                    const std::vector<int64_t>& rowids) {
  sql::QueryBuilder b;
  b.Add("select * from ").Add(sql::Identifier::FromSchema(table.name)).Add(" where rowid in (");
  for (size_t i = 0; i < rowids.size(); ++i) {
    if (i) b.Add(", ");
    b.Bind(Value::Integer(rowids[i]));
  }
  b.Add(") order by rowid");
  return FetchRows(conn, b.query());
}

// Rows by their keys, in key order: "select [rowid, ]* ... where (k = ?) or (k = ?)".
Result<db::Rows> RowsByKeys(db::Connection& conn, const db::TableInfo& table,
                            const std::vector<Row>& rows) {
  std::vector<std::string> keys = KeyColumns(table);
  sql::QueryBuilder b;
  b.Add("select ");
  if (table.uses_rowid()) b.Add("rowid, ");
  b.Add("* from ").Add(sql::Identifier::FromSchema(table.name)).Add(" where ");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) b.Add(" or ");
    ALM_ASSIGN_OR_RETURN(sql::RowKey key, RowKeyOf(rows[i], keys));
    b.Add("(");
    for (size_t k = 0; k < key.columns.size(); ++k) {
      if (k) b.Add(" and ");
      b.Add(key.columns[k]).Add(" = ").Bind(key.values[k]);
    }
    b.Add(")");
  }
  b.Add(" order by ");
  for (size_t k = 0; k < keys.size(); ++k) {
    if (k) b.Add(", ");
    b.Add(sql::Identifier::FromSchema(keys[k]));
  }
  return FetchRows(conn, b.query());
}

}  // namespace

// Datasette's _validate_data: the shape of the body, then every row against the table; cells
// are decoded last, so a bad $base64 value is reported only when the rows are otherwise fine.
Result<InsertArgs> ParseInsert(const JsonValue& data, const db::TableInfo& table, bool upsert,
                               int64_t max_rows) {
  if (table.is_view()) return NotFound("Table not found: " + table.name);
  InsertArgs args;
  args.table = table.name;
  args.upsert = upsert;
  if (!data.is_object()) return InvalidArgument("JSON must be a dictionary");
  std::vector<const JsonValue*> rows;
  ALM_RETURN_IF_ERROR(RowsOf(data, rows, args.return_rows));
  ALM_RETURN_IF_ERROR(CheckRowCount(rows.size(), max_rows));
  bool ignore = false;
  bool replace = false;
  std::vector<std::string> invalid;
  for (const auto& [key, value] : data.as_object()) {
    if (key == "row" || key == "rows") continue;
    if (key == "return") {
      args.return_rows = args.return_rows || value.Truthy();
    } else if (key == "ignore") {
      ignore = value.Truthy();
    } else if (key == "replace") {
      replace = value.Truthy();
    } else if (key == "alter") {
      args.alter = value.Truthy();
    } else {
      invalid.push_back(key);
    }
  }
  if (!invalid.empty()) {
    std::sort(invalid.begin(), invalid.end());
    return InvalidArgument("Invalid parameter: \"" + Join(invalid, "\", \"") + "\"");
  }
  if (ignore && replace) {
    return InvalidArgument("Cannot use \"ignore\" and \"replace\" at the same time");
  }
  std::vector<RowShape> shapes;
  for (const JsonValue* r : rows) shapes.push_back(ShapeOf(*r));
  ALM_RETURN_IF_ERROR(CheckRows(shapes, table, upsert, args.alter));
  for (const JsonValue* r : rows) {
    ALM_ASSIGN_OR_RETURN(Row row, RowFromJson(*r));
    args.rows.push_back(std::move(row));
  }
  if (upsert && (ignore || replace)) {
    return InvalidArgument("Upsert does not support ignore or replace");
  }
  args.on_conflict = ignore    ? sql::OnConflict::kIgnore
                     : replace ? sql::OnConflict::kReplace
                               : sql::OnConflict::kAbort;
  return args;
}

Status ValidateInsert(const InsertArgs& args, const db::TableInfo& table, int64_t max_rows) {
  if (table.is_view()) return NotFound("Table not found: " + table.name);
  ALM_RETURN_IF_ERROR(CheckRowCount(args.rows.size(), max_rows));
  std::vector<RowShape> shapes;
  for (const Row& r : args.rows) shapes.push_back(ShapeOf(r));
  ALM_RETURN_IF_ERROR(CheckRows(shapes, table, args.upsert, args.alter));
  if (args.upsert && args.on_conflict != sql::OnConflict::kAbort) {
    return InvalidArgument("Upsert does not support ignore or replace");
  }
  return Status::Ok();
}

Status CheckInsert(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const InsertArgs& args) {
  auth::Resource resource = auth::Resource::Table(database, args.table);
  bool can_insert = engine.Allowed(actor, auth::Action::kInsertRow, resource);
  bool can_update = engine.Allowed(actor, auth::Action::kUpdateRow, resource);
  if (args.upsert && !(can_insert && can_update)) {
    return PermissionDenied("Permission denied: need both insert-row and update-row");
  }
  if (!can_insert) return PermissionDenied("Permission denied");
  if (args.on_conflict == sql::OnConflict::kReplace && !can_update) {
    return PermissionDenied("Permission denied: need update-row to use \"replace\"");
  }
  if (args.alter) {
    ALM_RETURN_IF_ERROR(RequireTable(engine, actor, auth::Action::kAlterTable, database, args.table,
                                     "Permission denied for alter-table"));
  }
  return Status::Ok();
}

Result<InsertResult> RunInsert(db::WriteContext& ctx, const InsertArgs& args) {
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* table = schema->Find(args.table);
  if (!table || table->is_view()) return NotFound("Table not found: " + args.table);
  if (args.alter) {
    ALM_RETURN_IF_ERROR(AddMissingColumns(ctx.conn(), *table, args.rows));
    ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
    table = schema->Find(args.table);
  }
  InsertResult result;
  if (args.upsert) {
    for (const Row& row : args.rows) ALM_RETURN_IF_ERROR(UpsertRow(ctx.conn(), *table, row));
    if (args.return_rows) {
      ALM_ASSIGN_OR_RETURN(result.rows, RowsByKeys(ctx.conn(), *table, args.rows));
    }
    return result;
  }
  std::vector<int64_t> rowids;
  for (const Row& row : args.rows) {
    ALM_ASSIGN_OR_RETURN(std::optional<int64_t> rowid,
                         InsertOne(ctx.conn(), *table, row, args.on_conflict));
    if (rowid) rowids.push_back(*rowid);
  }
  if (args.return_rows) {
    if (table->without_rowid) {
      ALM_ASSIGN_OR_RETURN(result.rows, RowsByKeys(ctx.conn(), *table, args.rows));
    } else {
      ALM_ASSIGN_OR_RETURN(result.rows, ReturnedInsertRows(ctx.conn(), *table, rowids));
    }
  }
  return result;
}

}  // namespace almanac::write
