#include "write/drop.h"

#include "db/rows.h"
#include "sql/query.h"
#include "write/checks.h"
#include "write/table_ops.h"

namespace almanac::write {

Result<DropArgs> ParseDrop(const format::JsonValue& body, const db::TableInfo& table) {
  if (table.is_view()) return NotFound("Table not found: " + table.name);
  DropArgs args;
  args.table = table.name;
  if (body.is_object()) {
    const format::JsonValue* c = body.Find("confirm");
    args.confirm = c && c->Truthy();
  }
  return args;
}

Status CheckDrop(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                 const std::string& database, const DropArgs& args) {
  return RequireTable(engine, actor, auth::Action::kDropTable, database, args.table,
                      "Permission denied");
}

Result<int64_t> CountRows(db::Connection& conn, const std::string& table) {
  sql::QueryBuilder count;
  count.Add("select count(*) from ").Add(sql::Identifier::FromSchema(table));
  ALM_ASSIGN_OR_RETURN(db::Rows rows, FetchRows(conn, count.query()));
  return rows.at(0, 0).integer();
}

Result<DropResult> RunDrop(db::WriteContext& ctx, const DropArgs& args) {
  if (!args.confirm) return InvalidArgument("Pass \"confirm\": true to confirm");
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* info = schema->Find(args.table);
  if (!info || info->is_view()) return NotFound("Table not found: " + args.table);
  ALM_RETURN_IF_ERROR(ctx.conn().Exec("DROP TABLE " + sql::QuoteIdentifier(args.table)));
  return DropResult{};
}

}  // namespace almanac::write
