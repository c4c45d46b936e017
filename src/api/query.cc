#include "api/query.h"

#include "api/canned_queries.h"
#include "api/json_rows.h"
#include "api/magic_parameters.h"
#include "api/resolve.h"
#include "api/table.h"
#include "db/execute.h"
#include "sql/select_check.h"

namespace almanac::api {
namespace {

// A query that was refused outright or ran out of time is an error response; an SQL error
// is shown on the page, as Datasette shows it.
Result<QueryPage> ErrorPage(const Status& status, QueryPage page) {
  if (status.code() != ErrorCode::kInvalidArgument ||
      status.subject() == ErrorSubject::kRefusedStatement) {
    return status;
  }
  page.error = status.message();
  return page;
}

// Runs the page's SQL into page.rows or, for `direct_json`, into page.rows_json.
Result<QueryPage> RunSql(const Instance& instance, const Request& request,
                         const ResolvedDatabase& resolved, std::string sql,
                         const db::ParamResolver& params, bool direct_json) {
  QueryPage page;
  page.database = resolved.db->name();
  page.sql = std::move(sql);
  ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));
  if (page.output.shape == Shape::kObject) {
    return InvalidArgument("_shape=object is only available on tables");
  }
  if (direct_json) {
    std::string json;
    json.reserve(4096);
    JsonRowsSink sink(json, page.output);
    Result<db::SinkResult> ran =
        db::ExecuteUserInto(*resolved.conn, page.sql, params, QueryLimits(instance, request), sink);
    if (!ran.ok()) return ErrorPage(ran.status(), std::move(page));
    page.rows_json_count = sink.Finish();
    page.rows_json = std::move(json);
    page.rows.columns = sink.columns();
    page.truncated = ran->truncated;
    return page;
  }
  Result<db::QueryResult> result =
      db::ExecuteUser(*resolved.conn, page.sql, params, QueryLimits(instance, request));
  if (!result.ok()) return ErrorPage(result.status(), std::move(page));
  page.rows = std::move(result->rows);
  page.truncated = result->truncated;
  return page;
}

}  // namespace

Result<QueryPage> BuildQueryPage(const Instance& instance, const Request& request,
                                 std::string_view database, bool direct_json) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kExecuteSql,
                              auth::Resource::Database(std::string(database)),
                              "You do not have permission to execute SQL"));
  const std::string* sql = request.Arg("sql");
  if (!sql || sql->empty()) return InvalidArgument("?sql= is required");
  // Datasette's validate_sql_select: arbitrary SQL only (canned queries are trusted).
  if (Status refused = sql::ValidateSqlSelect(*sql); !refused.ok()) {
    return std::move(refused).About(ErrorSubject::kRefusedStatement);
  }
  ALM_ASSIGN_OR_RETURN(QueryPage page,
                       RunSql(instance, request, resolved, *sql,
                              RequestParameters(request, false, "sql"), direct_json));
  ALM_RETURN_IF_ERROR(ResolveQueryExtras(instance, request, page));
  return page;
}

Result<QueryPage> BuildCannedQueryPage(const Instance& instance, const Request& request,
                                       std::string_view database, std::string_view name,
                                       bool direct_json) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  std::optional<CannedQuery> canned = FindCannedQuery(instance, database, name);
  if (!canned) return NotFound("Table not found").About(ErrorSubject::kTable);
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewQuery,
                              auth::Resource::Table(std::string(database), canned->name),
                              "You do not have permission to view this query"));
  QueryPage page;
  if (canned->is_write) {
    // Datasette shows a writable query's form on GET and runs nothing: no rows.
    page.database = resolved.db->name();
    page.sql = canned->sql;
    ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));
  } else {
    ALM_ASSIGN_OR_RETURN(page, RunSql(instance, request, resolved, canned->sql,
                                      RequestParameters(request, true), direct_json));
  }
  page.canned_query = canned->name;
  page.cache_ttl = CacheTtl(instance, request);
  ALM_RETURN_IF_ERROR(ResolveQueryExtras(instance, request, page));
  return page;
}

Result<format::JsonValue> QueryDefinition(const Instance& instance, const Request& request,
                                          std::string_view database, std::string_view name) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  std::optional<CannedQuery> canned = FindCannedQuery(instance, resolved.db->name(), name);
  if (!canned) return NotFound("Query not found: " + std::string(name));
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewQuery,
                              auth::Resource::Table(resolved.db->name(), canned->name),
                              "Permission denied"));
  format::JsonValue query = CannedQueryJson(*canned);
  auto& members = query.as_object();
  std::erase_if(members, [](const auto& member) { return member.first == "private"; });
  return format::JsonValue::MakeObject(
      {{"ok", format::JsonValue::Bool(true)},
       {"unstable", format::JsonValue::String("This API is not part of Datasette's stable "
                                              "interface and may change at any time")},
       {"query", std::move(query)}});
}

}  // namespace almanac::api
