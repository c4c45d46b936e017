#include "http/dispatch.h"

#include <ctime>

#include "api/json_output.h"
#include "api/magic_parameters.h"
#include "auth/csrf.h"
#include "http/handler_util.h"
#include "http/router.h"
#include "http/routes.h"

namespace almanac::http {

ui::RenderContext RouteContext::Html() const {
  return ui::RenderContext{instance, request, JsonTwinUrl(request)};
}

namespace {

// The sign-in, token and permission-debugging pages have no JSON alternate (Datasette's
// has_json_alternate = False), so their HTML carries no Link header.
bool HasNoJsonTwin(const std::string& path) {
  http::Route route = MatchRoute(path);
  return (route.kind == RouteKind::kSpecial && IsAuthPage(route.name)) || IsFormRoute(route);
}

}  // namespace

// Cross-origin protection first (Datasette's outermost middleware), then the actor: a token
// that is recognised but invalid is a 401 before any routing.
std::optional<Response> Dispatcher::Authenticate(api::Request& request) const {
  if (instance_.settings.force_https_urls) request.scheme = "https";
  auth::CsrfInput csrf{
      request.method,           request.scheme,           request.Header("authorization"),
      request.Header("cookie"), request.Header("origin"), request.Header("sec-fetch-site"),
      request.Header("host")};
  if (std::optional<std::string> reason = auth::CsrfRejection(csrf)) {
    return CsrfErrorResponse(*reason);
  }
  if (!instance_.authenticator) return std::nullopt;
  Result<auth::MaybeActor> actor = instance_.authenticator->Authenticate(
      request.Header("authorization"), request.Header("cookie"),
      static_cast<int64_t>(std::time(nullptr)));
  if (!actor.ok()) {
    Response response = Response::Json(401, api::ErrorJson(actor.status(), 401));
    response.AddHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return response;
  }
  request.actor = std::move(actor).value();
  return std::nullopt;
}

Response Dispatcher::Handle(api::Request& request) const {
  std::optional<Response> refused = Authenticate(request);
  Response response = refused ? std::move(*refused) : Route(request);
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
  if (response.status == 200 && response.content_type.starts_with("text/html") &&
      !HasNoJsonTwin(request.path)) {
    response.AddHeader("Link", "<" + JsonTwinUrl(request) +
                                   ">; rel=\"alternate\"; type=\"application/json+datasette\"");
  }
  if (response.status < 300 && response.content_type.starts_with("text/html") &&
      api::RequestCookie(request, "ds_messages")) {
    // The page showed the flash messages (ui/view.cc): clear them, as Datasette does.
    response.AddHeader("Set-Cookie",
                       "ds_messages=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; "
                       "Path=/; SameSite=lax");
  }
  if (response.html_error && !response.stream) {
    // Error pages get the full layout and the (overridable) error template.
    response.body = renderer_.Error(response.status, *response.html_error,
                                    ui::RenderContext{instance_, request, ""});
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
  if (std::optional<Response> mounted = HandleStaticMount(request, renderer_.assets())) {
    return std::move(*mounted);
  }
  if (std::optional<Response> memory = MemoryRedirect(request)) return std::move(*memory);
  http::Route route = MatchRoute(request.path);
  if (ReadOnlyPage(route) && request.method != "GET" && request.method != "HEAD") {
    if (request.method == "OPTIONS") return Response::Text(200, "ok");
    return MethodNotAllowed(request);
  }
  RouteContext ctx{instance_, request, route, renderer_};
  if (std::optional<Response> form = HandleForm(ctx)) return std::move(*form);
  if (std::optional<Response> write = HandleWrite(ctx)) return std::move(*write);
  switch (route.kind) {
    case RouteKind::kIndex:
      return HandleIndex(ctx);
    case RouteKind::kRedirectDash:
      return Response::Redirect("/-/", 301);
    case RouteKind::kStatic:
      return HandleStatic(ctx);
    case RouteKind::kSpecial:
      if (IsAuthPage(route.name)) return HandleAuthPage(ctx);
      return HandleSpecial(ctx);
    case RouteKind::kDatabase:
      return HandleDatabase(ctx);
    case RouteKind::kDatabaseDownload:
      return HandleDatabaseDownload(ctx);
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
