// POST /<db>/<table>/<pks>/-/update and /-/delete: the request's glue around write/row_write.h.
#include "write/row_write.h"

#include <utility>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "core/url.h"
#include "write/checks.h"

namespace almanac::api::write {
namespace {

// Datasette's _resolve_row_and_check_permission: the row must exist, then the permission
// (`check` is write::CheckUpdate or write::CheckDelete on arguments naming only the table).
Result<ResolvedTable> ResolveRow(const Instance& instance, const std::string& database,
                                 const std::string& table, const std::vector<std::string>& key,
                                 const std::function<Status(const std::string&)>& check) {
  Result<ResolvedTable> resolved = ResolveTable(instance, database, table);
  if (!resolved.ok()) {
    if (resolved.status().Is(ErrorCode::kNotFound, ErrorSubject::kTable)) {
      return NotFound("Table not found: " + table).About(ErrorSubject::kTable);
    }
    return NotFound("Database not found: " + database).About(ErrorSubject::kDatabase);
  }
  ALM_RETURN_IF_ERROR(ops::FindRow(*resolved->conn, *resolved->table, key));
  ALM_RETURN_IF_ERROR(check(resolved->table->name));
  return resolved;
}

Result<ResolvedTable> UpdateTarget(const Instance& instance, const auth::MaybeActor& actor,
                                   const std::string& database, const std::string& table,
                                   const std::vector<std::string>& key) {
  return ResolveRow(instance, database, table, key, [&](const std::string& name) {
    ops::UpdateArgs target;
    target.table = name;
    return ops::CheckUpdate(instance.permissions, actor, database, target);
  });
}

Result<ResolvedTable> DeleteTarget(const Instance& instance, const auth::MaybeActor& actor,
                                   const std::string& database, const std::string& table,
                                   const std::vector<std::string>& key) {
  ALM_ASSIGN_OR_RETURN(
      ResolvedTable resolved,
      ResolveRow(instance, database, table, key, [&](const std::string& name) {
        return ops::CheckDelete(instance.permissions, actor, database, ops::DeleteArgs{name, {}});
      }));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  return resolved;
}

Prepared<ops::UpdateResult> QueueUpdate(db::Database* db, ops::UpdateArgs args) {
  return PrepareWork<ops::UpdateResult>(
      db, [args = std::move(args)](db::WriteContext& ctx) { return ops::RunUpdate(ctx, args); });
}

Prepared<ops::DeleteResult> QueueDelete(db::Database* db, ops::DeleteArgs args) {
  return PrepareWork<ops::DeleteResult>(
      db, [args = std::move(args)](db::WriteContext& ctx) { return ops::RunDelete(ctx, args); });
}

}  // namespace

Result<Outcome> UpdateRow(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table,
                          const std::string& pks) {
  std::vector<std::string> key = DecodeRowPath(pks);
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       UpdateTarget(instance, request.actor, database, table, key));
  ALM_ASSIGN_OR_RETURN(format::JsonValue body, ParseBody(request));
  ALM_ASSIGN_OR_RETURN(ops::UpdateArgs args,
                       ops::ParseUpdate(body, *resolved.table, std::move(key)));
  ALM_RETURN_IF_ERROR(ops::CheckUpdate(instance.permissions, request.actor, database, args));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  bool return_row = args.return_row;
  return Outcome::Later(AnswerLater<ops::UpdateResult>(
      QueueUpdate(resolved.db, std::move(args)), [return_row](const ops::UpdateResult& r) {
        Answer answer;
        answer.body = OkRowsBody(return_row ? &r.row : nullptr);
        return answer;
      }));
}

Result<Outcome> DeleteRow(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table,
                          const std::string& pks) {
  std::vector<std::string> key = DecodeRowPath(pks);
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       DeleteTarget(instance, request.actor, database, table, key));
  ALM_ASSIGN_OR_RETURN(ops::DeleteArgs args, ops::ParseDelete(*resolved.table, std::move(key)));
  return Outcome::Later(AnswerLater<ops::DeleteResult>(
      QueueDelete(resolved.db, std::move(args)), [](const ops::DeleteResult&) {
        return Answer{200, OkRowsBody(nullptr), {}};
      }));
}

Result<Prepared<ops::UpdateResult>> PrepareUpdate(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::UpdateArgs args) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       UpdateTarget(instance, actor, database, args.table, args.key));
  args.table = resolved.table->name;
  ALM_RETURN_IF_ERROR(ops::CheckUpdate(instance.permissions, actor, database, args));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  return QueueUpdate(resolved.db, std::move(args));
}

Result<Prepared<ops::DeleteResult>> PrepareDelete(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::DeleteArgs args) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved,
                       DeleteTarget(instance, actor, database, args.table, args.key));
  ALM_ASSIGN_OR_RETURN(args, ops::ParseDelete(*resolved.table, std::move(args.key)));
  return QueueDelete(resolved.db, std::move(args));
}

}  // namespace almanac::api::write
