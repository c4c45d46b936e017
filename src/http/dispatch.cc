#include "http/dispatch.h"

#include "http/handler_util.h"
#include "http/router.h"
#include "http/routes.h"

namespace almanac::http {

Response Dispatcher::Handle(api::Request& request) const {
  Response response = Route(request);
  if (response.deferred) {
    // A queued write: add the CORS headers once its answer is ready.
    bool cors = options_.cors;
    auto start = std::move(response.deferred);
    response.deferred = [start = std::move(start), cors](std::function<void(Response)> done) {
      start([done = std::move(done), cors](Response r) {
        if (cors) AddCorsHeaders(r);
        done(std::move(r));
      });
    };
    return response;
  }
  if (response.status == 200 && response.content_type.starts_with("text/html")) {
    response.AddHeader("Link", "<" + JsonTwinUrl(request) +
                                   ">; rel=\"alternate\"; type=\"application/json+datasette\"");
  }
  if (options_.cors) AddCorsHeaders(response);
  return response;
}

Response Dispatcher::Route(api::Request& request) const {
  http::Route route = MatchRoute(request.path);
  RouteContext ctx{instance_, request, route};
  if (std::optional<Response> write = HandleWrite(ctx)) return std::move(*write);
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
    case RouteKind::kQueryAction:
      return HandleQueryAction(ctx);
    default:
      break;
  }
  return NotFoundResponse(request, NotFound("404"));
}

}  // namespace almanac::http
