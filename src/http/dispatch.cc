#include "http/dispatch.h"

#include "api/catalog.h"
#include "api/json_output.h"
#include "api/query.h"
#include "api/row.h"
#include "api/special.h"
#include "api/table.h"
#include "core/url.h"
#include "http/error_response.h"
#include "http/router.h"
#include "ui/html.h"

namespace almanac::http {
namespace {

bool IsJson(const std::string& format) { return format == "json"; }

ErrorFormat FormatForPath(const api::Request& request) {
  return request.path.ends_with(".json") ? ErrorFormat::kJson : ErrorFormat::kHtml;
}

Response FromBody(api::Body body) {
  Response r;
  r.content_type = std::move(body.content_type);
  r.body = std::move(body.text);
  return r;
}

void AddCacheHeaders(Response& response, int64_t ttl) {
  if (response.status != 200) return;
  response.AddHeader("Cache-Control", ttl == 0 ? "no-cache" : "max-age=" + std::to_string(ttl));
}

void AddCorsHeaders(Response& response) {
  response.AddHeader("Access-Control-Allow-Origin", "*");
  response.AddHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
  response.AddHeader("Access-Control-Expose-Headers", "Link");
  response.AddHeader("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS");
  response.AddHeader("Access-Control-Max-Age", "3600");
}

// Pages that exist only as JSON and HTML: anything else is a 404.
bool KnownFormat(const std::string& format) { return format.empty() || format == "json"; }

Response NotFoundResponse(const api::Request& request, const Status& status) {
  // A percent-encoded path is retried in tilde encoding, as Datasette does.
  if (request.path.find('%') != std::string::npos) {
    std::string path;
    for (char c : request.path) {
      if (c == '~') {
        path += "~7E";
      } else if (c == '%') {
        path += '~';
      } else if (c == '.') {
        path += "~2E";
      } else {
        path += c;
      }
    }
    if (!request.query_string.empty()) path += "?" + request.query_string;
    return Response::Redirect(path);
  }
  return ErrorResponse(status, FormatForPath(request));
}

template <typename Page, typename JsonFn, typename HtmlFn>
Response Render(const Result<Page>& page, const api::Request& request, const std::string& format,
                JsonFn json, HtmlFn html) {
  if (!page.ok()) return ErrorResponse(page.status(), FormatForPath(request));
  if (IsJson(format)) return FromBody(json(*page));
  return Response::Html(200, html(*page));
}

Response SpecialResponse(const Result<api::SpecialPage>& page, const api::Request& request,
                         const std::string& format) {
  return Render(
      page, request, format,
      [](const api::SpecialPage& p) {
        return api::Body{api::kJsonType, format::ToJsonText(p.data)};
      },
      [](const api::SpecialPage& p) { return ui::RenderSpecial(p); });
}

// The URL of an HTML page's JSON twin: ".json" added to the path, or ?_format=json when the
// path already has a dot in it (Datasette's path_with_format).
std::string JsonTwinUrl(const api::Request& request) {
  std::string path = request.path;
  std::string query = request.query_string;
  if (path.find('.') != std::string::npos) {
    query += (query.empty() ? "" : "&") + std::string("_format=json");
  } else {
    path += ".json";
  }
  return request.AbsoluteUrl(query.empty() ? path : path + "?" + query);
}

}  // namespace

Response Dispatcher::Handle(api::Request& request) const {
  Response response = Route(request);
  if (response.status == 200 && response.content_type.starts_with("text/html")) {
    response.AddHeader("Link", "<" + JsonTwinUrl(request) +
                                   ">; rel=\"alternate\"; type=\"application/json+datasette\"");
  }
  if (options_.cors) AddCorsHeaders(response);
  return response;
}

Response Dispatcher::Route(api::Request& request) const {
  http::Route route = MatchRoute(request.path);
  const api::Instance& in = instance_;
  switch (route.kind) {
    case RouteKind::kIndex:
      return Render(api::BuildIndexPage(in, request), request, route.format, api::IndexJson,
                    ui::RenderIndex);
    case RouteKind::kRedirectDash:
      return Response::Redirect("/-/", 301);
    case RouteKind::kStatic:
      return Response::Html(404, "404: File not found");
    case RouteKind::kSpecial: {
      const std::string& name = route.name;
      if (name == "versions") return SpecialResponse(api::VersionsPage(in), request, route.format);
      if (name == "settings") return SpecialResponse(api::SettingsPage(in), request, route.format);
      if (name == "databases") {
        return SpecialResponse(api::DatabasesPage(in), request, route.format);
      }
      if (name == "actor") return SpecialResponse(api::ActorPage(request), request, route.format);
      if (name == "config") return SpecialResponse(api::ConfigPage(in), request, route.format);
      if (name == "threads") {
        return SpecialResponse(api::ThreadsPage(in, request), request, route.format);
      }
      if (name == "actions") {
        return SpecialResponse(api::ActionsPage(in, request), request, route.format);
      }
      if (name == "schema") {
        return SpecialResponse(api::SchemaPage(in, request, ""), request, route.format);
      }
      return ErrorResponse(NotFound("Page not found"), FormatForPath(request));
    }
    case RouteKind::kDatabase: {
      std::string database = TildeDecode(route.database);
      if (!KnownFormat(route.format))
        return NotFoundResponse(request, NotFound("Database not found"));
      if (const std::string* sql = request.Arg("sql"); sql && in.registry.Find(database)) {
        std::string target = "/" + route.database + "/-/query" +
                             (route.format.empty() ? "" : "." + route.format) + "?" +
                             request.query_string;
        Response redirect = Response::Redirect(target);
        redirect.content_type = "text/plain";
        return redirect;
      }
      Result<api::DatabasePage> page = api::BuildDatabasePage(in, request, database);
      if (!page.ok() && page.status().code() == ErrorCode::kNotFound) {
        return NotFoundResponse(request, page.status());
      }
      return Render(page, request, route.format, api::DatabaseJson, ui::RenderDatabase);
    }
    case RouteKind::kQuery: {
      std::string database = TildeDecode(route.database);
      if (!KnownFormat(route.format)) return NotFoundResponse(request, NotFound("Not found"));
      Result<api::QueryPage> page = api::BuildQueryPage(in, request, database);
      if (!page.ok()) return ErrorResponse(page.status(), FormatForPath(request));
      Response response = IsJson(route.format) ? FromBody(api::QueryJson(*page))
                                               : Response::Html(200, ui::RenderQuery(*page));
      if (page->error) response.status = 400;
      return response;
    }
    case RouteKind::kDatabaseAction: {
      if (route.name == "schema" && (route.format.empty() || IsJson(route.format))) {
        return SpecialResponse(api::SchemaPage(in, request, TildeDecode(route.database)), request,
                               route.format);
      }
      if (route.name == "queries" && (route.format.empty() || IsJson(route.format))) {
        return SpecialResponse(api::QueryListPage(in, request, TildeDecode(route.database)),
                               request, route.format);
      }
      break;
    }
    case RouteKind::kTable: {
      std::string database = TildeDecode(route.database);
      std::string table = TildeDecode(route.table);
      if (!KnownFormat(route.format)) return NotFoundResponse(request, NotFound("Table not found"));
      Result<api::TablePage> page = api::BuildTablePage(in, request, database, table);
      if (!page.ok() && page.status().code() == ErrorCode::kNotFound &&
          page.status().message() == "Table not found") {
        Result<api::QueryPage> canned = api::BuildCannedQueryPage(in, request, database, table);
        if (canned.ok() || canned.status().message() != "Table not found") {
          if (!canned.ok()) return ErrorResponse(canned.status(), FormatForPath(request));
          Response response = IsJson(route.format) ? FromBody(api::QueryJson(*canned))
                                                   : Response::Html(200, ui::RenderQuery(*canned));
          if (canned->error) response.status = 400;
          AddCacheHeaders(response, canned->cache_ttl.value_or(in.settings.default_cache_ttl));
          return response;
        }
      }
      if (!page.ok()) {
        if (page.status().code() == ErrorCode::kNotFound) {
          return NotFoundResponse(request, page.status());
        }
        return ErrorResponse(page.status(), FormatForPath(request));
      }
      Response response = IsJson(route.format) ? FromBody(api::TableJson(*page))
                                               : Response::Html(200, ui::RenderTable(*page));
      if (page->next_url) response.AddHeader("Link", "<" + *page->next_url + ">; rel=\"next\"");
      AddCacheHeaders(response, page->cache_ttl);
      response.AddHeader("Referrer-Policy", "no-referrer");
      return response;
    }
    case RouteKind::kRow: {
      if (!KnownFormat(route.format)) break;
      Result<api::RowPage> page = api::BuildRowPage(in, request, TildeDecode(route.database),
                                                    TildeDecode(route.table), route.pks);
      if (!page.ok()) {
        if (page.status().code() == ErrorCode::kNotFound) {
          return NotFoundResponse(request, page.status());
        }
        return ErrorResponse(page.status(), FormatForPath(request));
      }
      Response response = IsJson(route.format) ? FromBody(api::RowJson(*page))
                                               : Response::Html(200, ui::RenderRow(*page));
      AddCacheHeaders(response, page->cache_ttl);
      response.AddHeader("Referrer-Policy", "no-referrer");
      return response;
    }
    default:
      break;
  }
  return NotFoundResponse(request, NotFound("404"));
}

}  // namespace almanac::http
