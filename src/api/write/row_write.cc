// POST /<db>/<table>/<pks>/-/update and /-/delete (Datasette's RowUpdateView, RowDeleteView).
#include <memory>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "db/execute.h"

namespace almanac::api::write {
namespace {

struct ResolvedRow {
  ResolvedTable resolved;
  std::vector<std::string> pk_values;
};

// Datasette's _resolve_row_and_check_permission: the row must exist, then the permission.
Result<ResolvedRow> ResolveRow(const Instance& instance, const Request& request,
                               const std::string& database, const std::string& table,
                               const std::string& pks, auth::Action action) {
  Result<ResolvedTable> resolved = ResolveTable(instance, database, table);
  if (!resolved.ok()) {
    if (resolved.status().message() == "Table not found") {
      return NotFound("Table not found: " + table);
    }
    return NotFound("Database not found: " + database);
  }
  const db::TableInfo& info = *resolved->table;
  ResolvedRow row{std::move(resolved).value(), SplitPks(pks)};
  if (info.is_view() || row.pk_values.size() != KeyColumns(info).size()) {
    return NotFound("Record not found: " + PythonListRepr(row.pk_values));
  }
  sql::RowKey key = KeyFor(info, row.pk_values);
  ALM_ASSIGN_OR_RETURN(
      db::QueryResult found,
      db::Execute(*row.resolved.conn,
                  sql::SelectRow(sql::Identifier::FromSchema(info.name), key.columns, false, key),
                  db::Limits{}));
  if (found.rows.empty()) return NotFound("Record not found: " + PythonListRepr(row.pk_values));
  ALM_RETURN_IF_ERROR(
      RequireTable(instance, request, action, database, info.name, "Permission denied"));
  return row;
}

struct UpdateState {
  format::JsonValue update;
  bool alter = false;
  bool return_row = false;
  std::string table;
  std::vector<std::string> pk_values;
  db::Rows returned;
};

Status RunUpdate(db::WriteContext& ctx, UpdateState& s) {
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* table = schema->Find(s.table);
  if (!table) return NotFound("Table not found: " + s.table);
  if (s.alter) {
    ALM_RETURN_IF_ERROR(AddMissingColumns(ctx.conn(), *table, {&s.update}));
    ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
    table = schema->Find(s.table);
  }
  sql::Identifier name = sql::Identifier::FromSchema(table->name);
  sql::RowKey key = KeyFor(*table, s.pk_values);
  std::vector<sql::Identifier> columns;
  std::vector<Value> values;
  for (const auto& [column, cell] : s.update.as_object()) {
    columns.push_back(sql::Identifier::FromSchema(column));
    ALM_ASSIGN_OR_RETURN(Value v, CellValue(cell));
    values.push_back(std::move(v));
  }
  if (!columns.empty()) {
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         ctx.conn().Prepare(sql::UpdateRow(name, columns, values, key)));
    ALM_ASSIGN_OR_RETURN(bool unused, stmt.Step());
    (void)unused;
  }
  if (s.return_row) {
    std::vector<sql::Identifier> all;
    for (const db::ColumnInfo& c : table->columns) {
      all.push_back(sql::Identifier::FromSchema(c.name));
    }
    ALM_ASSIGN_OR_RETURN(
        s.returned, FetchRows(ctx.conn(), sql::SelectRow(name, all, table->uses_rowid(), key)));
    s.returned.Truncate(1);
  }
  return Status::Ok();
}

}  // namespace

Result<Outcome> UpdateRow(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table,
                          const std::string& pks) {
  ALM_ASSIGN_OR_RETURN(ResolvedRow row, ResolveRow(instance, request, database, table, pks,
                                                   auth::Action::kUpdateRow));
  ALM_ASSIGN_OR_RETURN(format::JsonValue data, ParseBody(request));
  if (!data.is_object()) return InvalidArgument("JSON must be a dictionary");
  const format::JsonValue* update = data.Find("update");
  if (!update || !update->is_object()) {
    return InvalidArgument("JSON must contain an update dictionary");
  }
  std::string invalid;
  for (const auto& [key, value] : data.as_object()) {
    if (key == "update" || key == "return" || key == "alter") continue;
    invalid += (invalid.empty() ? "" : ", ") + key;
  }
  if (!invalid.empty()) return InvalidArgument("Invalid keys: " + invalid);
  for (const auto& [key, cell] : update->as_object()) {
    ALM_RETURN_IF_ERROR(CellValue(cell).status());
  }
  auto state = std::make_shared<UpdateState>();
  const format::JsonValue* alter = data.Find("alter");
  const format::JsonValue* ret = data.Find("return");
  state->alter = alter && alter->Truthy();
  state->return_row = ret && ret->Truthy();
  if (state->alter) {
    ALM_RETURN_IF_ERROR(RequireTable(instance, request, auth::Action::kAlterTable, database,
                                     row.resolved.table->name,
                                     "Permission denied for alter-table"));
  }
  if (!row.resolved.db->is_mutable()) return PermissionDenied("Database is immutable");
  state->update = *update;
  state->table = row.resolved.table->name;
  state->pk_values = row.pk_values;
  PendingWrite pending;
  pending.db = row.resolved.db;
  pending.work = [state](db::WriteContext& ctx) { return RunUpdate(ctx, *state); };
  pending.respond = [state]() {
    Answer answer;
    answer.body = OkRowsBody(state->return_row ? &state->returned : nullptr);
    return answer;
  };
  return Outcome::Later(std::move(pending));
}

Result<Outcome> DeleteRow(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table,
                          const std::string& pks) {
  ALM_ASSIGN_OR_RETURN(ResolvedRow row, ResolveRow(instance, request, database, table, pks,
                                                   auth::Action::kDeleteRow));
  if (!row.resolved.db->is_mutable()) return PermissionDenied("Database is immutable");
  std::string name = row.resolved.table->name;
  std::vector<std::string> values = row.pk_values;
  PendingWrite pending;
  pending.db = row.resolved.db;
  pending.work = [name, values](db::WriteContext& ctx) -> Status {
    ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
    const db::TableInfo* info = schema->Find(name);
    if (!info) return NotFound("Table not found: " + name);
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         ctx.conn().Prepare(sql::DeleteRow(sql::Identifier::FromSchema(name),
                                                           KeyFor(*info, values))));
    ALM_ASSIGN_OR_RETURN(bool unused, stmt.Step());
    (void)unused;
    return Status::Ok();
  };
  pending.respond = []() { return Answer{200, OkRowsBody(nullptr), {}}; };
  return Outcome::Later(std::move(pending));
}

}  // namespace almanac::api::write
