#include "http/dispatch.h"

#include "http/handler_util.h"
#include "http/router.h"
#include "http/routes.h"

namespace almanac::http {

Response Dispatcher::Handle(api::Request& request) const {
  Response response = Route(request);
  if (response.status == 200 && response.content_type.starts_with("text/html")) {
    response.AddHeader("Link", "<" + JsonTwinUrl(request) +
                                   ">; rel=\"alternate\"; type=\"application/json+datasette\"");
  }
  if (options_.cors) AddCorsHeaders(response);
  return response;
}

namespace {

// Read-only pages: Datasette answers other methods with 405 (OPTIONS with "ok"). Tables,
// queries and the pages with forms take POST and decide for themselves.
bool ReadOnlyPage(const http::Route& route) {
  switch (route.kind) {
    case RouteKind::kIndex:
    case RouteKind::kDatabase:
    case RouteKind::kDatabaseDownload:
    case RouteKind::kRow:
      return true;
    case RouteKind::kSpecial:
      return route.name != "logout" && route.name != "permissions" && route.name != "messages" &&
             route.name != "create-token";
    default:
      return false;
  }
}

}  // namespace

Response Dispatcher::Route(api::Request& request) const {
  http::Route route = MatchRoute(request.path);
  if (ReadOnlyPage(route) && request.method != "GET" && request.method != "HEAD") {
    if (request.method == "OPTIONS") return Response::Text(200, "ok");
    return MethodNotAllowed(request);
  }
  RouteContext ctx{instance_, request, route};
  switch (route.kind) {
    case RouteKind::kIndex:
      return HandleIndex(ctx);
    case RouteKind::kRedirectDash:
      return Response::Redirect("/-/", 301);
    case RouteKind::kStatic:
      return Response::Html(404, "404: File not found");
    case RouteKind::kSpecial:
      return HandleSpecial(ctx);
    case RouteKind::kDatabase:
      return HandleDatabase(ctx);
    case RouteKind::kQuery:
      return HandleQuery(ctx);
    case RouteKind::kDatabaseAction:
      return HandleDatabaseAction(ctx);
    case RouteKind::kTable:
      return HandleTable(ctx);
    case RouteKind::kRow:
      return HandleRow(ctx);
    default:
      break;
  }
  return NotFoundResponse(request, NotFound("404"));
}

}  // namespace almanac::http
