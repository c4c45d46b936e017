// The export formats of the read pages: `.csv` (whole or streamed) and `.blob` for tables,
// views, canned queries, rows and the SQL page. Called from read_routes.cc.
#include "api/blob.h"
#include "api/csv_pages.h"
#include "api/query.h"
#include "api/row.h"
#include "api/table.h"
#include "core/url.h"
#include "web/handler_util.h"
#include "web/handlers.h"
#include "web/pooled_stream.h"

namespace almanac::web {
namespace {

Response FromCsv(const RouteContext& ctx, api::CsvBody body) {
  Response response;
  response.content_type = body.content_type();
  if (body.download) {
    response.AddHeader("content-disposition", "attachment; filename=\"" + body.filename + "\"");
  }
  if (body.stream) {
    // Each chunk is read from SQLite on an SQL thread.
    std::shared_ptr<api::TableCsvStream> csv = std::move(body.stream);
    response.stream = std::make_shared<PooledStream>(
        ctx.instance.pool, [csv](std::string& chunk) { return csv->Next(chunk); });
  } else {
    response.body = std::move(body.text);
  }
  return response;
}

Response FromBlob(const api::BlobBody& blob) {
  Response response;
  response.content_type = "application/binary";
  response.AddHeader("X-Content-Type-Options", "nosniff");
  response.AddHeader("Content-Disposition", "attachment; filename=\"" + blob.filename + "\"");
  response.body = blob.bytes;
  return response;
}

// Table, view and canned-query responses carry Datasette's caching headers.
Response WithTableHeaders(Response response, int64_t ttl) {
  AddCacheHeaders(response, ttl);
  response.AddHeader("Referrer-Policy", "no-referrer");
  return response;
}

Response Failure(const api::Request& request, const Status& status) {
  if (status.code() == ErrorCode::kNotFound) return NotFoundResponse(request, status);
  return ErrorResponse(status, FormatForPath(request));
}

bool IsTableNotFound(const Status& status) {
  return status.Is(ErrorCode::kNotFound, ErrorSubject::kTable);
}

// A canned query named like the missing table, in the route's format.
Response CannedExport(const RouteContext& ctx, const std::string& database,
                      const std::string& name) {
  const api::Request& request = ctx.request;
  Result<api::QueryPage> page = api::BuildCannedQueryPage(ctx.instance, request, database, name);
  if (!page.ok()) return Failure(request, page.status());
  int64_t ttl = page->cache_ttl.value_or(ctx.instance.settings.default_cache_ttl);
  if (ctx.route.format == "blob") {
    Result<api::BlobBody> blob = api::RenderBlob(request, page->rows, "", "");
    if (!blob.ok()) return Failure(request, blob.status());
    return WithTableHeaders(FromBlob(*blob), ttl);
  }
  Result<api::CsvBody> csv = api::QueryPageCsv(ctx.instance, request, *page, ctx.route.table);
  if (!csv.ok()) return Failure(request, csv.status());
  return WithTableHeaders(FromCsv(ctx, std::move(*csv)), ttl);
}

}  // namespace

bool IsExportFormat(const std::string& format) { return format == "csv" || format == "blob"; }

Response HandleTableExport(const RouteContext& ctx) {
  const api::Request& request = ctx.request;
  std::string database = TildeDecode(ctx.route.database);
  std::string table = TildeDecode(ctx.route.table);
  if (ctx.route.format == "blob") {
    Result<api::TablePage> page = api::BuildTablePage(ctx.instance, request, database, table);
    if (!page.ok() && IsTableNotFound(page.status())) return CannedExport(ctx, database, table);
    if (!page.ok()) return Failure(request, page.status());
    Result<api::BlobBody> blob = api::RenderBlob(request, page->rows, page->table, "");
    if (!blob.ok()) return Failure(request, blob.status());
    return WithTableHeaders(FromBlob(*blob), page->cache_ttl);
  }
  Result<api::CsvBody> csv =
      api::BuildTableCsv(ctx.instance, request, database, table, ctx.route.table);
  if (!csv.ok() && IsTableNotFound(csv.status())) return CannedExport(ctx, database, table);
  if (!csv.ok()) return Failure(request, csv.status());
  int64_t ttl = csv->cache_ttl;
  return WithTableHeaders(FromCsv(ctx, std::move(*csv)), ttl);
}

Response HandleRowExport(const RouteContext& ctx) {
  const api::Request& request = ctx.request;
  std::string database = TildeDecode(ctx.route.database);
  std::string table = TildeDecode(ctx.route.table);
  if (ctx.route.format == "blob") {
    Result<api::RowPage> page =
        api::BuildRowPage(ctx.instance, request, database, table, ctx.route.pks);
    if (!page.ok()) return Failure(request, page.status());
    Result<api::BlobBody> blob = api::RenderBlob(request, page->rows, page->table, ctx.route.pks);
    if (!blob.ok()) return Failure(request, blob.status());
    return WithTableHeaders(FromBlob(*blob), page->cache_ttl);
  }
  // Datasette's row CSV carries no caching headers.
  Result<api::CsvBody> csv =
      api::BuildRowCsv(ctx.instance, request, database, table, ctx.route.pks, ctx.route.table);
  if (!csv.ok()) return Failure(request, csv.status());
  return FromCsv(ctx, std::move(*csv));
}

Response HandleQueryExport(const RouteContext& ctx) {
  const api::Request& request = ctx.request;
  std::string database = TildeDecode(ctx.route.database);
  Result<api::QueryPage> page = api::BuildQueryPage(ctx.instance, request, database);
  if (!page.ok()) return ErrorResponse(page.status(), FormatForPath(request));
  if (ctx.route.format == "blob") {
    Result<api::BlobBody> blob = api::RenderBlob(request, page->rows, "", "");
    if (!blob.ok()) return ErrorResponse(blob.status(), FormatForPath(request));
    return FromBlob(*blob);
  }
  Result<api::CsvBody> csv = api::QueryPageCsv(ctx.instance, request, *page, database);
  if (!csv.ok()) return ErrorResponse(csv.status(), FormatForPath(request));
  return FromCsv(ctx, std::move(*csv));
}

}  // namespace almanac::web
