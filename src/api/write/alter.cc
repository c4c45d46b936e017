// POST /<db>/<table>/-/alter: the request's glue around write/alter.h.
#include "write/alter.h"

#include <utility>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "write/checks.h"

namespace almanac::api::write {

Result<Outcome> AlterTable(const Instance& instance, const Request& request,
                           const std::string& database, const std::string& table_name) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  ops::AlterArgs target;
  target.table = table.name;
  ALM_RETURN_IF_ERROR(ops::CheckAlter(instance.permissions, request.actor, database, target));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  if (table.is_view()) return InvalidArgument("Cannot alter a view");
  ALM_ASSIGN_OR_RETURN(format::JsonValue body, ParseBody(request));
  ALM_ASSIGN_OR_RETURN(ops::AlterArgs args, ops::ParseAlter(body, table));
  ALM_RETURN_IF_ERROR(ops::CheckAlter(instance.permissions, request.actor, database, args));
  int64_t operations = static_cast<int64_t>(args.plan.operations);
  Prepared<ops::AlterResult> prepared = PrepareWork<ops::AlterResult>(
      resolved.db,
      [args = std::move(args)](db::WriteContext& ctx) { return ops::RunAlter(ctx, args); });
  Request url_base;  // only what absolute URLs need, not the body
  url_base.scheme = request.scheme;
  url_base.host = request.host;
  Urls urls = instance.urls();
  return Outcome::Later(AnswerLater<ops::AlterResult>(
      std::move(prepared), [database, url_base, urls, operations](const ops::AlterResult& r) {
        Answer answer;
        format::JsonWriter w(answer.body.text);
        w.BeginObject();
        w.MemberBool("ok", true);
        w.Member("database", database);
        w.Member("table", r.table);
        w.Member("table_url", TableUrl(url_base, urls, database, r.table, false));
        w.Member("table_api_url", TableUrl(url_base, urls, database, r.table, true));
        w.MemberBool("altered", r.before != r.after);
        w.Member("schema", r.after);
        w.Member("before_schema", r.before);
        w.Member("operations_applied", operations);
        w.EndObject();
        return answer;
      }));
}

}  // namespace almanac::api::write
