#include "write/row_write.h"

#include <utility>

#include "db/execute.h"
#include "sql/write_sql.h"
#include "write/checks.h"
#include "write/table_ops.h"

namespace almanac::write {
namespace {

Status CheckKey(const db::TableInfo& table, const std::vector<std::string>& key) {
  if (table.is_view() || key.size() != KeyColumns(table).size()) {
    return NotFound("Record not found: " + PythonListRepr(key));
  }
  return Status::Ok();
}

Status StepOnce(db::Connection& conn, const sql::Query& query) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  ALM_ASSIGN_OR_RETURN(bool unused, stmt.Step());
  (void)unused;
  return Status::Ok();
}

}  // namespace

Status FindRow(db::Connection& conn, const db::TableInfo& table,
               const std::vector<std::string>& key) {
  ALM_RETURN_IF_ERROR(CheckKey(table, key));
  sql::RowKey row_key = KeyFor(table, key);
  ALM_ASSIGN_OR_RETURN(db::QueryResult found,
                       db::Execute(conn,
                                   sql::SelectRow(sql::Identifier::FromSchema(table.name),
                                                  row_key.columns, false, row_key),
                                   db::Limits{}));
  if (found.rows.empty()) return NotFound("Record not found: " + PythonListRepr(key));
  return Status::Ok();
}

Result<UpdateArgs> ParseUpdate(const format::JsonValue& data, const db::TableInfo& table,
                               std::vector<std::string> key) {
  ALM_RETURN_IF_ERROR(CheckKey(table, key));
  if (!data.is_object()) return InvalidArgument("JSON must be a dictionary");
  const format::JsonValue* update = data.Find("update");
  if (!update || !update->is_object()) {
    return InvalidArgument("JSON must contain an update dictionary");
  }
  std::string invalid;
  for (const auto& [name, value] : data.as_object()) {
    if (name == "update" || name == "return" || name == "alter") continue;
    invalid += (invalid.empty() ? "" : ", ") + name;
  }
  if (!invalid.empty()) return InvalidArgument("Invalid keys: " + invalid);
  UpdateArgs args;
  args.table = table.name;
  args.key = std::move(key);
  ALM_ASSIGN_OR_RETURN(args.update, RowFromJson(*update));
  const format::JsonValue* alter = data.Find("alter");
  const format::JsonValue* ret = data.Find("return");
  args.alter = alter && alter->Truthy();
  args.return_row = ret && ret->Truthy();
  return args;
}

Status CheckUpdate(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const UpdateArgs& args) {
  ALM_RETURN_IF_ERROR(RequireTable(engine, actor, auth::Action::kUpdateRow, database, args.table,
                                   "Permission denied"));
  if (!args.alter) return Status::Ok();
  return RequireTable(engine, actor, auth::Action::kAlterTable, database, args.table,
                      "Permission denied for alter-table");
}

Result<UpdateResult> RunUpdate(db::WriteContext& ctx, const UpdateArgs& args) {
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* table = schema->Find(args.table);
  if (!table) return NotFound("Table not found: " + args.table);
  if (args.alter) {
    ALM_RETURN_IF_ERROR(AddMissingColumns(ctx.conn(), *table, {args.update}));
    ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
    table = schema->Find(args.table);
  }
  sql::Identifier name = sql::Identifier::FromSchema(table->name);
  sql::RowKey key = KeyFor(*table, args.key);
  std::vector<sql::Identifier> columns;
  for (const std::string& column : args.update.columns) {
    columns.push_back(sql::Identifier::FromSchema(column));
  }
  if (!columns.empty()) {
    ALM_RETURN_IF_ERROR(
        StepOnce(ctx.conn(), sql::UpdateRow(name, columns, args.update.values, key)));
  }
  UpdateResult result;
  if (args.return_row) {
    std::vector<sql::Identifier> all;
    for (const db::ColumnInfo& c : table->columns) {
      all.push_back(sql::Identifier::FromSchema(c.name));
    }
    ALM_ASSIGN_OR_RETURN(
        result.row, FetchRows(ctx.conn(), sql::SelectRow(name, all, table->uses_rowid(), key)));
    result.row.Truncate(1);
  }
  return result;
}

Result<DeleteArgs> ParseDelete(const db::TableInfo& table, std::vector<std::string> key) {
  ALM_RETURN_IF_ERROR(CheckKey(table, key));
  return DeleteArgs{table.name, std::move(key)};
}

Status CheckDelete(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const DeleteArgs& args) {
  return RequireTable(engine, actor, auth::Action::kDeleteRow, database, args.table,
                      "Permission denied");
}

Result<DeleteResult> RunDelete(db::WriteContext& ctx, const DeleteArgs& args) {
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* info = schema->Find(args.table);
  if (!info) return NotFound("Table not found: " + args.table);
  ALM_RETURN_IF_ERROR(StepOnce(ctx.conn(), sql::DeleteRow(sql::Identifier::FromSchema(args.table),
                                                          KeyFor(*info, args.key))));
  return DeleteResult{ctx.conn().Changes()};
}

}  // namespace almanac::write
