// POST /<db>/-/create: the request's glue around write/create.h.
#include "write/create.h"

#include <utility>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "write/checks.h"

namespace almanac::api::write {
namespace {

// The database to create in, once the actor may create tables there.
Result<ResolvedDatabase> CreateTarget(const Instance& instance, const auth::MaybeActor& actor,
                                      const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(
      ops::CheckCreate(instance.permissions, actor, database, ops::CreateArgs{}, *resolved.schema));
  return resolved;
}

Result<Prepared<ops::CreateResult>> Queue(const Instance& instance, const auth::MaybeActor& actor,
                                          const std::string& database,
                                          const ResolvedDatabase& resolved, ops::CreateArgs args) {
  ALM_RETURN_IF_ERROR(
      ops::CheckCreate(instance.permissions, actor, database, args, *resolved.schema));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  return PrepareWork<ops::CreateResult>(
      resolved.db,
      [args = std::move(args)](db::WriteContext& ctx) { return ops::RunCreate(ctx, args); });
}

}  // namespace

Result<Outcome> CreateTable(const Instance& instance, const Request& request,
                            const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, CreateTarget(instance, request.actor, database));
  ALM_ASSIGN_OR_RETURN(format::JsonValue body, ParseBody(request));
  ALM_ASSIGN_OR_RETURN(ops::CreateArgs args, ops::ParseCreate(body, *resolved.schema));
  std::string table = args.table;
  size_t row_count = args.rows.size();
  ALM_ASSIGN_OR_RETURN(Prepared<ops::CreateResult> prepared,
                       Queue(instance, request.actor, database, resolved, std::move(args)));
  Urls urls = instance.urls();
  std::string table_url = TableUrl(request, urls, database, table, false);
  std::string api_url = TableUrl(request, urls, database, table, true);
  return Outcome::Later(AnswerLater<ops::CreateResult>(
      std::move(prepared),
      [database, table, table_url, api_url, row_count](const ops::CreateResult& r) {
        Answer answer;
        answer.status = 201;
        format::JsonWriter w(answer.body.text);
        w.BeginObject();
        w.MemberBool("ok", true);
        w.Member("database", database);
        w.Member("table", table);
        w.Member("table_url", table_url);
        w.Member("table_api_url", api_url);
        w.Member("schema", r.schema);
        if (row_count > 0) w.Member("row_count", static_cast<int64_t>(row_count));
        w.EndObject();
        return answer;
      }));
}

Result<Prepared<ops::CreateResult>> PrepareCreate(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::CreateArgs args) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, CreateTarget(instance, actor, database));
  ALM_RETURN_IF_ERROR(ops::ValidateCreate(args, *resolved.schema));
  return Queue(instance, actor, database, resolved, std::move(args));
}

}  // namespace almanac::api::write
