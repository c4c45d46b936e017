// POST /<db>/<table>/-/drop (Datasette's TableDropView): without {"confirm": true} it answers
// with the row count and how to confirm; with it, the table is dropped.
#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "db/execute.h"

namespace almanac::api::write {

Result<Outcome> DropTable(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table_name) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  if (table.is_view()) return NotFound("Table not found: " + table.name);
  ALM_RETURN_IF_ERROR(RequireTable(instance, request, auth::Action::kDropTable, database,
                                   table.name, "Permission denied"));
  if (!resolved.db->is_mutable()) return PermissionDenied("Database is immutable");
  bool confirm = false;
  Result<format::JsonValue> body = ParseBody(request);
  if (body.ok() && body->is_object()) {
    const format::JsonValue* c = body->Find("confirm");
    confirm = c && c->Truthy();
  }
  std::string name = table.name;
  if (!confirm) {
    sql::QueryBuilder count;
    count.Add("select count(*) from ").Add(sql::Identifier::FromSchema(name));
    ALM_ASSIGN_OR_RETURN(db::Rows rows, FetchRows(*resolved.conn, count.query()));
    Answer answer;
    format::JsonWriter w(answer.body.text);
    w.BeginObject();
    w.MemberBool("ok", true);
    w.Member("database", database);
    w.Member("table", name);
    w.Member("row_count", rows.at(0, 0).integer());
    w.Member("message", "Pass \"confirm\": true to confirm");
    w.EndObject();
    return Outcome::Now(std::move(answer));
  }
  PendingWrite pending;
  pending.db = resolved.db;
  pending.work = [name](db::WriteContext& ctx) -> Status {
    ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
    const db::TableInfo* info = schema->Find(name);
    if (!info || info->is_view()) return NotFound("Table not found: " + name);
    return ctx.conn().Exec("DROP TABLE " + sql::QuoteIdentifier(name));
  };
  pending.respond = []() { return Answer{200, OkRowsBody(nullptr), {}}; };
  return Outcome::Later(std::move(pending));
}

}  // namespace almanac::api::write
