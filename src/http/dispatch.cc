#include "http/dispatch.h"

#include "http/handler_util.h"
#include "http/router.h"
#include "http/routes.h"

namespace almanac::http {

ui::RenderContext RouteContext::Html() const {
  return ui::RenderContext{instance, request, JsonTwinUrl(request)};
}

Response Dispatcher::Handle(api::Request& request) const {
  Response response = Route(request);
  if (response.status == 200 && response.content_type.starts_with("text/html")) {
    response.AddHeader("Link", "<" + JsonTwinUrl(request) +
                                   ">; rel=\"alternate\"; type=\"application/json+datasette\"");
  }
  if (response.html_error && !response.stream) {
    // Error pages get the full layout and the (overridable) error template.
    response.body = renderer_.Error(response.status, *response.html_error,
                                    ui::RenderContext{instance_, request, ""});
  }
  if (options_.cors) AddCorsHeaders(response);
  return response;
}

Response Dispatcher::Route(api::Request& request) const {
  if (std::optional<Response> mounted = HandleStaticMount(request, renderer_.assets())) {
    return std::move(*mounted);
  }
  http::Route route = MatchRoute(request.path);
  RouteContext ctx{instance_, request, route, renderer_};
  switch (route.kind) {
    case RouteKind::kIndex:
      return HandleIndex(ctx);
    case RouteKind::kRedirectDash:
      return Response::Redirect("/-/", 301);
    case RouteKind::kStatic:
      return HandleStatic(ctx);
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
    case RouteKind::kQueryAction:
      return HandleQueryAction(ctx);
    default:
      break;
  }
  return NotFoundResponse(request, NotFound("404"));
}

}  // namespace almanac::http
