// POST /<db>/<table>/-/drop: the request's glue around write/drop.h. Without {"confirm": true}
// it answers now with the row count and how to confirm.
#include "write/drop.h"

#include <utility>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "write/checks.h"

namespace almanac::api::write {
namespace {

// The table to drop, once the actor may and the database can be written.
Result<ResolvedTable> DropTarget(const Instance& instance, const auth::MaybeActor& actor,
                                 const std::string& database, const std::string& table) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table));
  if (resolved.table->is_view()) return NotFound("Table not found: " + resolved.table->name);
  ops::DropArgs target{resolved.table->name, false};
  ALM_RETURN_IF_ERROR(ops::CheckDrop(instance.permissions, actor, database, target));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  return resolved;
}

Prepared<ops::DropResult> Queue(db::Database* db, ops::DropArgs args) {
  return PrepareWork<ops::DropResult>(
      db, [args = std::move(args)](db::WriteContext& ctx) { return ops::RunDrop(ctx, args); });
}

}  // namespace

Result<Outcome> DropTable(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table_name) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       DropTarget(instance, request.actor, database, table_name));
  Result<format::JsonValue> body = ParseBody(request);  // a body that is no JSON previews
  ALM_ASSIGN_OR_RETURN(
      ops::DropArgs args,
      ops::ParseDrop(body.ok() ? *body : format::JsonValue::MakeObject(), *resolved.table));
  if (!args.confirm) {
    ALM_ASSIGN_OR_RETURN(int64_t rows, ops::CountRows(*resolved.conn, args.table));
    Answer answer;
    format::JsonWriter w(answer.body.text);
    w.BeginObject();
    w.MemberBool("ok", true);
    w.Member("database", database);
    w.Member("table", args.table);
    w.Member("row_count", rows);
    w.Member("message", "Pass \"confirm\": true to confirm");
    w.EndObject();
    return Outcome::Now(std::move(answer));
  }
  return Outcome::Later(
      AnswerLater<ops::DropResult>(Queue(resolved.db, std::move(args)), [](const ops::DropResult&) {
        return Answer{200, OkRowsBody(nullptr), {}};
      }));
}

Result<Prepared<ops::DropResult>> PrepareDrop(const Instance& instance,
                                              const auth::MaybeActor& actor,
                                              const std::string& database, ops::DropArgs args) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, DropTarget(instance, actor, database, args.table));
  args.table = resolved.table->name;
  ALM_RETURN_IF_ERROR(ops::CheckDrop(instance.permissions, actor, database, args));
  return Queue(resolved.db, std::move(args));
}

}  // namespace almanac::api::write
