// POST /<db>/<table>/-/insert and /-/upsert (Datasette's TableInsertView / TableUpsertView).
#include <algorithm>
#include <memory>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"

namespace almanac::api::write {
namespace {

struct InsertState {
  format::JsonValue body;
  std::vector<const format::JsonValue*> rows;
  bool ignore = false;
  bool replace = false;
  bool alter = false;
  bool return_rows = false;
  bool upsert = false;
  std::string table;
  db::Rows returned;  // filled by the write when return_rows
};

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

// Datasette's _validate_data: the shape of the body, then every row against the table.
Status Validate(InsertState& s, const db::TableInfo& table, int64_t max_rows) {
  const format::JsonValue& data = s.body;
  if (!data.is_object()) return InvalidArgument("JSON must be a dictionary");
  const format::JsonValue* row = data.Find("row");
  const format::JsonValue* rows = data.Find("rows");
  if (!row && !rows) return InvalidArgument("JSON must have one or other of \"row\" or \"rows\"");
  if (row) {
    if (rows) return InvalidArgument("Cannot use \"row\" and \"rows\" at the same time");
    if (!row->is_object()) return InvalidArgument("\"row\" must be a dictionary");
    s.rows.push_back(row);
    s.return_rows = true;
  } else {
    if (!rows->is_array()) return InvalidArgument("\"rows\" must be a list");
    for (const format::JsonValue& r : rows->as_array()) {
      if (!r.is_object()) return InvalidArgument("\"rows\" must be a list of dictionaries");
      s.rows.push_back(&r);
    }
  }
  if (static_cast<int64_t>(s.rows.size()) > max_rows) {
    return InvalidArgument("Too many rows, maximum allowed is " + std::to_string(max_rows));
  }
  std::vector<std::string> invalid;
  for (const auto& [key, value] : data.as_object()) {
    if (key == "row" || key == "rows") continue;
    if (key == "return") {
      s.return_rows = s.return_rows || value.Truthy();
    } else if (key == "ignore") {
      s.ignore = value.Truthy();
    } else if (key == "replace") {
      s.replace = value.Truthy();
    } else if (key == "alter") {
      s.alter = value.Truthy();
    } else {
      invalid.push_back(key);
    }
  }
  if (!invalid.empty()) {
    std::sort(invalid.begin(), invalid.end());
    return InvalidArgument("Invalid parameter: \"" + Join(invalid, "\", \"") + "\"");
  }
  if (s.ignore && s.replace) {
    return InvalidArgument("Cannot use \"ignore\" and \"replace\" at the same time");
  }
  std::vector<std::string> keys = KeyColumns(table);
  std::vector<std::string> columns = table.ColumnNames();
  columns.insert(columns.end(), keys.begin(), keys.end());
  std::vector<std::string> errors;
  for (size_t i = 0; i < s.rows.size(); ++i) {
    const format::JsonValue& r = *s.rows[i];
    std::string prefix = "Row " + std::to_string(i);
    if (s.upsert) {
      std::vector<std::string> missing;
      std::vector<std::string> null_keys;
      for (const std::string& key : keys) {
        const format::JsonValue* v = r.Find(key);
        if (!v) missing.push_back(key);
        if (v && v->is_null()) null_keys.push_back(key);
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
    for (const auto& [key, value] : r.as_object()) {
      if (!Has(columns, key)) unknown.push_back(key);
    }
    if (!unknown.empty() && !s.alter) {
      std::sort(unknown.begin(), unknown.end());
      errors.push_back(prefix + " has invalid columns: " + Join(unknown, ", "));
    }
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  // Decoding errors ($base64) are found now, before anything is written.
  for (const format::JsonValue* r : s.rows) {
    for (const auto& [key, value] : r->as_object()) {
      ALM_RETURN_IF_ERROR(CellValue(value).status());
    }
  }
  return Status::Ok();
}

struct RowColumns {
  std::vector<sql::Identifier> columns;
  std::vector<Value> values;
};

Result<RowColumns> Columns(const format::JsonValue& row, const std::vector<std::string>& skip) {
  RowColumns out;
  for (const auto& [key, cell] : row.as_object()) {
    if (Has(skip, key)) continue;
    out.columns.push_back(sql::Identifier::FromSchema(key));
    ALM_ASSIGN_OR_RETURN(Value v, CellValue(cell));
    out.values.push_back(std::move(v));
  }
  return out;
}

Result<sql::RowKey> RowKeyOf(const format::JsonValue& row, const std::vector<std::string>& keys) {
  sql::RowKey key;
  for (const std::string& k : keys) {
    const format::JsonValue* cell = row.Find(k);
    if (!cell) return InvalidArgument("Row is missing primary key column: " + k);
    key.columns.push_back(sql::Identifier::FromSchema(k));
    ALM_ASSIGN_OR_RETURN(Value v, CellValue(*cell));
    key.values.push_back(std::move(v));
  }
  return key;
}

// One upsert row: update the columns it gives, or insert it when no row has its key.
Status UpsertRow(db::Connection& conn, const db::TableInfo& table, const format::JsonValue& row) {
  std::vector<std::string> keys = KeyColumns(table);
  ALM_ASSIGN_OR_RETURN(sql::RowKey key, RowKeyOf(row, keys));
  sql::Identifier name = sql::Identifier::FromSchema(table.name);
  ALM_ASSIGN_OR_RETURN(RowColumns set, Columns(row, keys));
  if (!set.columns.empty()) {
    ALM_ASSIGN_OR_RETURN(db::Statement update,
                         conn.Prepare(sql::UpdateRow(name, set.columns, set.values, key)));
    ALM_ASSIGN_OR_RETURN(bool unused, update.Step());
    (void)unused;
    if (conn.Changes() > 0) return Status::Ok();
  }
  ALM_ASSIGN_OR_RETURN(RowColumns all, Columns(row, {}));
  ALM_ASSIGN_OR_RETURN(db::Statement insert,
                       conn.Prepare(sql::InsertRow(name, all.columns, std::move(all.values),
                                                   set.columns.empty() ? sql::OnConflict::kIgnore
                                                                       : sql::OnConflict::kAbort)));
  ALM_ASSIGN_OR_RETURN(bool unused, insert.Step());
  (void)unused;
  return Status::Ok();
}

// One insert row; returns the rowid of the row it wrote (or that an ignored row collided with).
Result<std::optional<int64_t>> InsertOne(db::Connection& conn, const db::TableInfo& table,
                                         const format::JsonValue& row, sql::OnConflict mode) {
  sql::Identifier name = sql::Identifier::FromSchema(table.name);
  ALM_ASSIGN_OR_RETURN(RowColumns all, Columns(row, {}));
  ALM_ASSIGN_OR_RETURN(db::Statement insert, conn.Prepare(sql::InsertRow(
                                                 name, all.columns, std::move(all.values), mode)));
  ALM_ASSIGN_OR_RETURN(bool unused, insert.Step());
  (void)unused;
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
                            const std::vector<const format::JsonValue*>& rows) {
  std::vector<std::string> keys = KeyColumns(table);
  sql::QueryBuilder b;
  b.Add("select ");
  if (table.uses_rowid()) b.Add("rowid, ");
  b.Add("* from ").Add(sql::Identifier::FromSchema(table.name)).Add(" where ");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) b.Add(" or ");
    ALM_ASSIGN_OR_RETURN(sql::RowKey key, RowKeyOf(*rows[i], keys));
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

Status RunInsert(db::WriteContext& ctx, InsertState& s) {
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* table = schema->Find(s.table);
  if (!table || table->is_view()) return NotFound("Table not found: " + s.table);
  if (s.alter) {
    ALM_RETURN_IF_ERROR(AddMissingColumns(ctx.conn(), *table, s.rows));
    ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
    table = schema->Find(s.table);
  }
  if (s.upsert) {
    for (const format::JsonValue* row : s.rows) {
      ALM_RETURN_IF_ERROR(UpsertRow(ctx.conn(), *table, *row));
    }
    if (s.return_rows) {
      ALM_ASSIGN_OR_RETURN(s.returned, RowsByKeys(ctx.conn(), *table, s.rows));
    }
    return Status::Ok();
  }
  sql::OnConflict mode = s.ignore    ? sql::OnConflict::kIgnore
                         : s.replace ? sql::OnConflict::kReplace
                                     : sql::OnConflict::kAbort;
  std::vector<int64_t> rowids;
  for (const format::JsonValue* row : s.rows) {
    ALM_ASSIGN_OR_RETURN(std::optional<int64_t> rowid, InsertOne(ctx.conn(), *table, *row, mode));
    if (rowid) rowids.push_back(*rowid);
  }
  if (s.return_rows) {
    if (table->without_rowid) {
      ALM_ASSIGN_OR_RETURN(s.returned, RowsByKeys(ctx.conn(), *table, s.rows));
    } else {
      ALM_ASSIGN_OR_RETURN(s.returned, ReturnedInsertRows(ctx.conn(), *table, rowids));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Outcome> InsertRows(const Instance& instance, const Request& request,
                           const std::string& database, const std::string& table_name,
                           bool upsert) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  if (table.is_view()) return NotFound("Table not found: " + table.name);
  auth::Resource resource = auth::Resource::Table(database, table.name);
  const auth::PermissionEngine& engine = instance.permissions;
  bool can_insert = engine.Allowed(request.actor, auth::Action::kInsertRow, resource);
  bool can_update = engine.Allowed(request.actor, auth::Action::kUpdateRow, resource);
  if (upsert && !(can_insert && can_update)) {
    return PermissionDenied("Permission denied: need both insert-row and update-row");
  }
  if (!can_insert) return PermissionDenied("Permission denied");
  if (!resolved.db->is_mutable()) return PermissionDenied("Database is immutable");

  auto state = std::make_shared<InsertState>();
  state->upsert = upsert;
  state->table = table.name;
  ALM_ASSIGN_OR_RETURN(state->body, ParseBody(request));
  ALM_RETURN_IF_ERROR(Validate(*state, table, instance.settings.max_insert_rows));
  if (upsert && (state->ignore || state->replace)) {
    return InvalidArgument("Upsert does not support ignore or replace");
  }
  if (state->replace && !can_update) {
    return PermissionDenied("Permission denied: need update-row to use \"replace\"");
  }
  if (state->alter && !engine.Allowed(request.actor, auth::Action::kAlterTable, resource)) {
    return PermissionDenied("Permission denied for alter-table");
  }
  PendingWrite pending;
  pending.db = resolved.db;
  pending.work = [state](db::WriteContext& ctx) { return RunInsert(ctx, *state); };
  pending.respond = [state]() {
    Answer answer;
    answer.status = state->upsert ? 200 : 201;
    answer.body = OkRowsBody(state->return_rows ? &state->returned : nullptr);
    return answer;
  };
  return Outcome::Later(std::move(pending));
}

}  // namespace almanac::api::write
