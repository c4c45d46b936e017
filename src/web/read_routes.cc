#include "api/canned_queries.h"
#include "api/catalog.h"
#include "api/json_output.h"
#include "api/query.h"
#include "api/resolve.h"
#include "api/row.h"
#include "api/table.h"
#include "core/url.h"
#include "web/conditional.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {
namespace {

// A not-found from a handler: the tilde redirect for percent-encoded paths, else the error.
Response PageError(const api::Request& request, const Status& status) {
  if (status.code() == ErrorCode::kNotFound) return NotFoundResponse(request, status);
  return ErrorResponse(status, FormatForPath(request));
}

// An SQL error is a 400 in JSON; the HTML page shows it beside the editor with a 200, as
// Datasette does.
Response QueryResponse(const RouteContext& ctx, const api::QueryPage& page,
                       const std::string& format) {
  if (IsJson(format)) {
    Response response = FromBody(api::QueryJson(page));
    if (page.error) response.status = 400;
    return response;
  }
  return Response::Html(200, ctx.ui.Query(page, ctx.Html()));
}

// A canned query named like the table the URL names: its page, or on POST its write.
Response CannedQuery(const RouteContext& ctx, const std::string& database,
                     const std::string& name) {
  const api::Instance& in = ctx.instance;
  if (ctx.request.method == "POST") return HandleCannedWrite(ctx, database, name);
  Result<api::QueryPage> canned =
      api::BuildCannedQueryPage(in, ctx.request, database, name, IsJson(ctx.route.format));
  if (!canned.ok()) return ErrorResponse(canned.status(), FormatForPath(ctx.request));
  Response response = QueryResponse(ctx, *canned, ctx.route.format);
  AddCacheHeaders(response, canned->cache_ttl.value_or(in.settings.default_cache_ttl));
  response.AddHeader("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace

Response HandleIndex(const RouteContext& ctx) {
  return Render(api::BuildIndexPage(ctx.instance, ctx.request), ctx.request, ctx.route.format,
                api::IndexJson,
                [&](const api::IndexPage& page) { return ctx.ui.Index(page, ctx.Html()); });
}

Response HandleDatabase(const RouteContext& ctx) {
  const Route& route = ctx.route;
  api::Request& request = ctx.request;
  std::string database = TildeDecode(route.database);
  const std::string* sql = request.Arg("sql");
  if (sql && sql->find_first_not_of(" \t\r\n") != std::string::npos &&
      ctx.instance.registry.Find(database)) {
    // Datasette's legacy /<db>?sql= form moved to /<db>/-/query.
    std::string target = ctx.instance.urls().DatabaseAction(database, "query") +
                         (route.format.empty() ? "" : "." + route.format) + "?" +
                         request.query_string;
    Response redirect = Response::Redirect(target);
    redirect.content_type = "text/plain";
    return redirect;
  }
  if (!KnownFormat(route.format)) {
    if (!ctx.instance.registry.Find(database)) {
      return NotFoundResponse(request, NotFound("Database not found"));
    }
    return NotFoundResponse(request, NotFound("Invalid format: " + route.format));
  }
  Result<api::DatabasePage> page = api::BuildDatabasePage(ctx.instance, request, database);
  if (!page.ok()) return PageError(request, page.status());
  return Render(page, request, route.format, api::DatabaseJson,
                [&](const api::DatabasePage& p) { return ctx.ui.Database(p, ctx.Html()); });
}

Response HandleQuery(const RouteContext& ctx) {
  if (IsExportFormat(ctx.route.format)) return HandleQueryExport(ctx);
  if (!KnownFormat(ctx.route.format)) return NotFoundResponse(ctx.request, NotFound("Not found"));
  std::string database = TildeDecode(ctx.route.database);
  const std::string* sql = ctx.request.Arg("sql");
  std::optional<std::string> etag;
  if (sql && !sql->empty() && api::CheckQueryPermission(ctx.instance, ctx.request, database).ok()) {
    etag = PageEtag(ctx.instance, ctx.request, database, *sql);
  }
  int64_t ttl = api::CacheTtl(ctx.instance, ctx.request);
  if (etag) {
    if (std::optional<Response> not_modified = NotModified(ctx.request, *etag, ttl)) {
      return std::move(*not_modified);
    }
  }
  Result<api::QueryPage> page =
      api::BuildQueryPage(ctx.instance, ctx.request, database, IsJson(ctx.route.format));
  if (!page.ok() && !IsJson(ctx.route.format) && (!sql || sql->empty()) &&
      page.status().code() == ErrorCode::kInvalidArgument) {
    // Without ?sql= the HTML page is an empty editor (Datasette answers 200 too).
    api::QueryPage empty;
    empty.database = database;
    return Response::Html(200, ctx.ui.Query(empty, ctx.Html()));
  }
  if (!page.ok()) return ErrorResponse(page.status(), FormatForPath(ctx.request));
  Response response = QueryResponse(ctx, *page, ctx.route.format);
  if (etag && response.status == 200) response.AddHeader("ETag", *etag);
  return response;
}

Response HandleTable(const RouteContext& ctx) {
  const Route& route = ctx.route;
  api::Request& request = ctx.request;
  const api::Instance& in = ctx.instance;
  std::string database = TildeDecode(route.database);
  std::string table = TildeDecode(route.table);
  if (IsExportFormat(route.format)) return HandleTableExport(ctx);
  if (!KnownFormat(route.format)) return NotFoundResponse(request, NotFound("Table not found"));
  if (request.method == "POST") {
    // Only a writable canned query takes a POST here; a table answers 405, as in Datasette.
    Result<api::PathTarget> target = api::ResolvePathTarget(in, database, table);
    if (target.ok() && *target == api::PathTarget::kTable) {
      return Response::Text(405, "Method not allowed");
    }
    if (target.ok() && *target == api::PathTarget::kCannedQuery) {
      return CannedQuery(ctx, database, table);
    }
  }
  std::optional<std::string> etag;
  if (api::CheckTablePermission(in, request, database, table).ok()) {
    const std::string* where = request.Arg("_where");
    etag = PageEtag(in, request, database, where ? *where : std::string());
  }
  if (etag) {
    if (std::optional<Response> not_modified =
            NotModified(request, *etag, api::CacheTtl(in, request))) {
      return std::move(*not_modified);
    }
  }
  api::TableFormat table_format =
      IsJson(route.format) ? api::TableFormat::kJsonDirect : api::TableFormat::kHtml;
  Result<api::TablePage> page = api::BuildTablePage(in, request, database, table, table_format);
  if (!page.ok() && page.status().Is(ErrorCode::kNotFound, ErrorSubject::kTable) &&
      api::FindCannedQuery(in, database, table)) {
    return CannedQuery(ctx, database, table);
  }
  if (!page.ok()) return PageError(request, page.status());
  if (page->redirect) {
    // Datasette's filter form and sort checkbox redirect to the plain query string.
    Response redirect = Response::Redirect(*page->redirect);
    redirect.content_type = "text/plain";
    redirect.AddHeader("Link", "<" + *page->redirect + ">; rel=preload");
    redirect.AddHeader("Referrer-Policy", "no-referrer");
    return redirect;
  }
  Response response = IsJson(route.format) ? FromBody(api::TableJson(*page))
                                           : Response::Html(200, ctx.ui.Table(*page, ctx.Html()));
  if (page->next_url) response.AddHeader("Link", "<" + *page->next_url + ">; rel=\"next\"");
  // A facet that ran out of time may finish next time: no tag for an incomplete answer.
  if (etag && page->facets_timed_out.empty()) response.AddHeader("ETag", *etag);
  AddCacheHeaders(response, page->cache_ttl);
  response.AddHeader("Referrer-Policy", "no-referrer");
  return response;
}

Response HandleRow(const RouteContext& ctx) {
  const Route& route = ctx.route;
  if (IsExportFormat(route.format)) return HandleRowExport(ctx);
  if (!KnownFormat(route.format)) return NotFoundResponse(ctx.request, NotFound("404"));
  std::string database = TildeDecode(route.database);
  std::optional<std::string> etag;
  if (api::CheckTablePermission(ctx.instance, ctx.request, database, TildeDecode(route.table))
          .ok()) {
    etag = PageEtag(ctx.instance, ctx.request, database, "");
  }
  if (etag) {
    if (std::optional<Response> not_modified =
            NotModified(ctx.request, *etag, api::CacheTtl(ctx.instance, ctx.request))) {
      return std::move(*not_modified);
    }
  }
  Result<api::RowPage> page = api::BuildRowPage(
      ctx.instance, ctx.request, TildeDecode(route.database), TildeDecode(route.table), route.pks);
  if (!page.ok()) return PageError(ctx.request, page.status());
  if (!IsJson(route.format)) {
    Status labelled = api::LabelRowForeignKeys(ctx.instance, ctx.request, *page);
    if (!labelled.ok()) return PageError(ctx.request, labelled);
  }
  Response response = IsJson(route.format) ? FromBody(api::RowJson(*page))
                                           : Response::Html(200, ctx.ui.Row(*page, ctx.Html()));
  if (etag) response.AddHeader("ETag", *etag);
  AddCacheHeaders(response, page->cache_ttl);
  response.AddHeader("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace almanac::web
