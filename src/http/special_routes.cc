#include "api/query.h"
#include "api/resolve.h"
#include "api/special.h"
#include "core/url.h"
#include "http/handler_util.h"
#include "http/routes.h"
#include "ui/html.h"

namespace almanac::http {
namespace {

Response SpecialResponse(const Result<api::SpecialPage>& page, const api::Request& request,
                         const std::string& format) {
  return Render(
      page, request, format,
      [](const api::SpecialPage& p) {
        return api::Body{api::kJsonType, format::ToJsonText(p.data)};
      },
      [](const api::SpecialPage& p) { return ui::RenderSpecial(p); });
}

}  // namespace

Response HandleSpecial(const RouteContext& ctx) {
  const api::Instance& in = ctx.instance;
  api::Request& request = ctx.request;
  const std::string& name = ctx.route.name;
  const std::string& format = ctx.route.format;
  // Datasette's JsonDataView pages need view-instance (actor.json needs nothing).
  if (name == "versions" || name == "settings" || name == "databases" || name == "config" ||
      name == "plugins") {
    Status s = api::Require(in, request, auth::Action::kViewInstance, auth::Resource::Instance(),
                            "view-instance");
    if (!s.ok()) return ErrorResponse(s, FormatForPath(request));
  }
  if (name == "versions") return SpecialResponse(api::VersionsPage(in), request, format);
  if (name == "settings") return SpecialResponse(api::SettingsPage(in), request, format);
  if (name == "databases")
    return SpecialResponse(api::DatabasesPage(in, request.actor), request, format);
  if (name == "actor") return SpecialResponse(api::ActorPage(request), request, format);
  if (name == "config") return SpecialResponse(api::ConfigPage(in), request, format);
  if (name == "threads") return SpecialResponse(api::ThreadsPage(in, request), request, format);
  if (name == "actions") return SpecialResponse(api::ActionsPage(in, request), request, format);
  if (name == "schema") return SpecialResponse(api::SchemaPage(in, request, ""), request, format);
  return ErrorResponse(NotFound("Page not found"), FormatForPath(request));
}

Response HandleDatabaseAction(const RouteContext& ctx) {
  const Route& route = ctx.route;
  bool page_format = route.format.empty() || IsJson(route.format);
  if (route.name == "schema" && page_format) {
    return SpecialResponse(api::SchemaPage(ctx.instance, ctx.request, TildeDecode(route.database)),
                           ctx.request, route.format);
  }
  if (route.name == "queries" && page_format) {
    return SpecialResponse(
        api::QueryListPage(ctx.instance, ctx.request, TildeDecode(route.database)), ctx.request,
        route.format);
  }
  return NotFoundResponse(ctx.request, NotFound("404"));
}

}  // namespace almanac::http

namespace almanac::http {

// /<db>/<query>/-/definition (JSON, errors included); the other stored-query actions (edit,
// update, delete) belong to stored queries, not yet built.
Response HandleQueryAction(const RouteContext& ctx) {
  const Route& route = ctx.route;
  if (route.name != "definition") return NotFoundResponse(ctx.request, NotFound("404"));
  Result<format::JsonValue> definition = api::QueryDefinition(
      ctx.instance, ctx.request, TildeDecode(route.database), TildeDecode(route.table));
  if (!definition.ok()) {
    const Status& status = definition.status();
    if (status.message() == "Database not found") return NotFoundResponse(ctx.request, status);
    return ErrorResponse(status, ErrorFormat::kJson);
  }
  return Response::Json(200, format::ToJsonText(*definition));
}

}  // namespace almanac::http
