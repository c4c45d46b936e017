#include "api/query.h"

#include "api/canned_queries.h"
#include "api/resolve.h"
#include "api/table.h"
#include "db/execute.h"

namespace almanac::api {
namespace {

Result<QueryPage> RunSql(const Instance& instance, const Request& request,
                         const ResolvedDatabase& resolved, std::string sql) {
  QueryPage page;
  page.database = resolved.db->name();
  page.sql = std::move(sql);
  ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));
  if (page.output.shape == Shape::kObject) {
    return InvalidArgument("_shape=object is only available on tables");
  }
  Result<db::QueryResult> result =
      db::ExecuteUser(*resolved.conn, page.sql, request.args, QueryLimits(instance, request));
  if (!result.ok()) {
    const Status& status = result.status();
    // A query that was refused outright or ran out of time is an error response; an SQL
    // error is shown on the page, as Datasette shows it.
    if (status.code() != ErrorCode::kInvalidArgument || status.message() == db::kNotSelectMessage) {
      return status;
    }
    page.error = status.message();
    return page;
  }
  page.rows = std::move(result->rows);
  page.truncated = result->truncated;
  return page;
}

}  // namespace

Result<QueryPage> BuildQueryPage(const Instance& instance, const Request& request,
                                 std::string_view database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kExecuteSql,
                              auth::Resource::Database(std::string(database)),
                              "You do not have permission to execute SQL"));
  const std::string* sql = request.Arg("sql");
  if (!sql || sql->empty()) return InvalidArgument("?sql= is required");
  ALM_ASSIGN_OR_RETURN(QueryPage page, RunSql(instance, request, resolved, *sql));
  ALM_RETURN_IF_ERROR(ResolveQueryExtras(instance, request, page));
  return page;
}

Result<QueryPage> BuildCannedQueryPage(const Instance& instance, const Request& request,
                                       std::string_view database, std::string_view name) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  std::optional<CannedQuery> canned = FindCannedQuery(instance.config, database, name);
  if (!canned) return NotFound("Table not found");
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewQuery,
                              auth::Resource::Table(std::string(database), canned->name),
                              "You do not have permission to view this query"));
  ALM_ASSIGN_OR_RETURN(QueryPage page, RunSql(instance, request, resolved, canned->sql));
  page.canned_query = canned->name;
  page.cache_ttl = CacheTtl(instance, request);
  ALM_RETURN_IF_ERROR(ResolveQueryExtras(instance, request, page));
  return page;
}

}  // namespace almanac::api
