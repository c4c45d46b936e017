// POST /<db>/<table>/-/insert and /-/upsert: the request's glue around write/insert.h.
#include "write/insert.h"

#include <utility>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "write/checks.h"

namespace almanac::api::write {
namespace {

// The table to write to, once the actor may and the database can be written.
Result<ResolvedTable> InsertTarget(const Instance& instance, const auth::MaybeActor& actor,
                                   const std::string& database, const std::string& table,
                                   bool upsert) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table));
  if (resolved.table->is_view()) return NotFound("Table not found: " + resolved.table->name);
  ops::InsertArgs target;
  target.table = resolved.table->name;
  target.upsert = upsert;
  ALM_RETURN_IF_ERROR(ops::CheckInsert(instance.permissions, actor, database, target));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  return resolved;
}

Prepared<ops::InsertResult> Queue(db::Database* db, ops::InsertArgs args) {
  return PrepareWork<ops::InsertResult>(
      db, [args = std::move(args)](db::WriteContext& ctx) { return ops::RunInsert(ctx, args); });
}

}  // namespace

Result<Outcome> InsertRows(const Instance& instance, const Request& request,
                           const std::string& database, const std::string& table_name,
                           bool upsert) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       InsertTarget(instance, request.actor, database, table_name, upsert));
  ALM_ASSIGN_OR_RETURN(format::JsonValue body, ParseBody(request));
  ALM_ASSIGN_OR_RETURN(ops::InsertArgs args, ops::ParseInsert(body, *resolved.table, upsert,
                                                              instance.settings.max_insert_rows));
  ALM_RETURN_IF_ERROR(ops::CheckInsert(instance.permissions, request.actor, database, args));
  bool return_rows = args.return_rows;
  return Outcome::Later(AnswerLater<ops::InsertResult>(
      Queue(resolved.db, std::move(args)), [upsert, return_rows](const ops::InsertResult& r) {
        Answer answer;
        answer.status = upsert ? 200 : 201;
        answer.body = OkRowsBody(return_rows ? &r.rows : nullptr);
        return answer;
      }));
}

Result<Prepared<ops::InsertResult>> PrepareInsert(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::InsertArgs args) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       InsertTarget(instance, actor, database, args.table, args.upsert));
  args.table = resolved.table->name;
  ALM_RETURN_IF_ERROR(
      ops::ValidateInsert(args, *resolved.table, instance.settings.max_insert_rows));
  ALM_RETURN_IF_ERROR(ops::CheckInsert(instance.permissions, actor, database, args));
  return Queue(resolved.db, std::move(args));
}

}  // namespace almanac::api::write
