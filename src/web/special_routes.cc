#include "api/query.h"
#include "api/resolve.h"
#include "api/special.h"
#include "core/url.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {
namespace {

Response SpecialResponse(const Result<api::SpecialPage>& page, const RouteContext& ctx) {
  return Render(
      page, ctx.request, ctx.route.format,
      [](const api::SpecialPage& p) {
        return api::Body{api::kJsonType, format::ToJsonText(p.data)};
      },
      [&](const api::SpecialPage& p) { return ctx.ui.Special(p, ctx.Html()); });
}

// The schema pages: JSON, Markdown (text/markdown) or HTML. Errors are JSON for .json and
// plain text otherwise, as Datasette's SchemaBaseView answers them.
Response SchemaResponse(const Result<api::SpecialPage>& page, const RouteContext& ctx) {
  const std::string& format = ctx.route.format;
  if (!page.ok()) {
    if (IsJson(format)) return ErrorResponse(page.status(), ErrorFormat::kJson);
    if (page.status().code() == ErrorCode::kNotFound) {
      return Response::Text(404, page.status().message());
    }
    return ErrorResponse(page.status(), ErrorFormat::kHtml);
  }
  if (format == "md") {
    Response response = Response::Text(200, api::SchemaMarkdown(*page));
    response.content_type = "text/markdown; charset=utf-8";
    return response;
  }
  return SpecialResponse(page, ctx);
}

}  // namespace

Response HandleSpecial(const RouteContext& ctx) {
  const api::Instance& in = ctx.instance;
  api::Request& request = ctx.request;
  const std::string& name = ctx.route.name;
  // Datasette's JsonDataView pages need view-instance (actor.json needs nothing).
  if (name == "versions" || name == "settings" || name == "databases" || name == "config" ||
      name == "plugins") {
    Status s = api::Require(in, request, auth::Action::kViewInstance, auth::Resource::Instance(),
                            "view-instance");
    if (!s.ok()) return ErrorResponse(s, FormatForPath(request));
  }
  if (name == "versions") return SpecialResponse(api::VersionsPage(in), ctx);
  if (name == "settings") return SpecialResponse(api::SettingsPage(in), ctx);
  if (name == "databases") return SpecialResponse(api::DatabasesPage(in, request.actor), ctx);
  if (name == "actor") return SpecialResponse(api::ActorPage(request), ctx);
  if (name == "config") return SpecialResponse(api::ConfigPage(in), ctx);
  if (name == "threads") return SpecialResponse(api::ThreadsPage(in, request), ctx);
  if (name == "actions") return SpecialResponse(api::ActionsPage(in, request), ctx);
  if (name == "schema") return SchemaResponse(api::SchemaPage(in, request, ""), ctx);
  if (name == "plugins") return SpecialResponse(api::PluginsPage(), ctx);
  return ErrorResponse(NotFound("Page not found"), FormatForPath(request));
}

Response HandleDatabaseSchema(const RouteContext& ctx) {
  return SchemaResponse(api::SchemaPage(ctx.instance, ctx.request, TildeDecode(ctx.route.database)),
                        ctx);
}

Response HandleTableSchema(const RouteContext& ctx) {
  return SchemaResponse(
      api::TableSchemaPage(ctx.instance, ctx.request, TildeDecode(ctx.route.database),
                           TildeDecode(ctx.route.table)),
      ctx);
}

Response HandleDatabaseQueries(const RouteContext& ctx) {
  return SpecialResponse(
      api::QueryListPage(ctx.instance, ctx.request, TildeDecode(ctx.route.database),
                         !IsJson(ctx.route.format)),
      ctx);
}

// /<db>/<query>/-/definition (JSON, errors included).
Response HandleQueryDefinition(const RouteContext& ctx) {
  std::string database = TildeDecode(ctx.route.database);
  Result<format::JsonValue> definition =
      api::QueryDefinition(ctx.instance, ctx.request, database, TildeDecode(ctx.route.table));
  if (!definition.ok()) {
    const Status& status = definition.status();
    if (status.Is(ErrorCode::kNotFound, ErrorSubject::kDatabase)) {
      return NotFoundResponse(ctx.request, status);
    }
    return ErrorResponse(status, ErrorFormat::kJson);
  }
  return Response::Json(200, format::ToJsonText(*definition));
}

Response HandleNotServed(const RouteContext& ctx) {
  return ErrorResponse(NotFound("Page not found"), FormatForPath(ctx.request));
}

}  // namespace almanac::web
