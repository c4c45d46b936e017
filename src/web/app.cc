#include "web/app.h"

#include <ctime>
#include <exception>
#include <functional>
#include <memory>

#include "api/json_output.h"
#include "api/magic_parameters.h"
#include "api/resolve.h"
#include "auth/csrf.h"
#include "core/text.h"
#include "core/url.h"
#include "db/connection.h"
#include "db/read_transaction.h"
#include "format/error_json.h"
#include "web/handler_util.h"
#include "web/route_table.h"
#include "web/trace_output.h"
#include "web/upload_page.h"

namespace almanac::web {

using http::Response;

ui::RenderContext RouteContext::Html() const {
  return ui::RenderContext{instance, request, JsonTwinUrl(request)};
}

namespace {

api::Request ToApiRequest(http::Request& in) {
  api::Request out;
  out.method = std::move(in.method);
  out.path = std::move(in.path);
  out.query_string = std::move(in.query_string);
  if (!out.query_string.empty()) out.args = ParseQueryString(out.query_string);
  out.headers = std::move(in.headers);
  if (const std::string* host = out.Header("host")) out.host = *host;
  out.body = std::move(in.body);
  out.body_reader = std::move(in.body_reader);
  return out;
}

// An answer that depended on who asked must not be kept by shared caches.
void MakeCachePrivate(Response& response) {
  for (auto& [name, value] : response.headers) {
    if (AsciiLower(name) == "cache-control" && value.starts_with("max-age")) {
      value = "private, " + value;
    }
  }
}

}  // namespace

http::BodyMode App::BodyModeFor(const http::Request& head) const {
  if (head.method == "POST" && IsUploadPath(instance_.urls().StripBase(head.path))) {
    return http::BodyMode::kStream;
  }
  return http::BodyMode::kBuffer;
}

Response App::Handle(http::Request& request) {
  api::Request api_request = ToApiRequest(request);
  bool read = api_request.method == "GET" || api_request.method == "HEAD";
  // A read's statements share one read transaction per database (db/read_transaction.h),
  // ended when its handler returns; a write's reads run as before.
  auto handle = [this, read](api::Request& r) {
    std::optional<db::RequestReadTransaction> transaction;
    if (read) transaction.emplace();
    return WithTrace(instance_, r, [this, &r] { return HandleApiRequest(r); });
  };
  if (!options_.slow_lane || !read) return handle(api_request);
  {
    db::FastLaneScope lane(options_.fast_lane);
    Response response = handle(api_request);
    if (!lane.Overrun()) return response;
  }
  // Its SQL ran past the fast lane and was interrupted: drop that answer (a read changed
  // nothing, and handlers leave the request as it came) and answer from the slow lane.
  auto moved = std::make_shared<api::Request>(std::move(api_request));
  Response later;
  later.deferred = [this, moved](std::function<void(Response)> done) {
    options_.slow_lane->Submit([this, moved, done] {
      Response response;
      try {
        db::RequestReadTransaction transaction;
        response = WithTrace(instance_, *moved, [this, moved] { return HandleApiRequest(*moved); });
      } catch (const std::exception&) {
        response = Error(500, "Internal server error");
      }
      done(std::move(response));
    });
  };
  return later;
}

Response App::Error(int status, std::string message) const {
  ErrorCode code = status == 413   ? ErrorCode::kTooLarge
                   : status >= 500 ? ErrorCode::kInternal
                                   : ErrorCode::kInvalidArgument;
  return Response::Json(status, format::ErrorJson(Status(code, std::move(message)), status));
}

// Cross-origin protection first (Datasette's outermost middleware), then the actor: a token
// that is recognised but invalid is a 401 before any routing.
std::optional<Response> App::Authenticate(api::Request& request) const {
  if (instance_.settings.force_https_urls) request.scheme = "https";
  auth::CsrfInput csrf{
      request.method,           request.scheme,           request.Header("authorization"),
      request.Header("cookie"), request.Header("origin"), request.Header("sec-fetch-site"),
      request.Header("host")};
  if (std::optional<std::string> reason = auth::CsrfRejection(csrf)) {
    return CsrfErrorResponse(*reason);
  }
  if (!instance_.authenticator) return std::nullopt;
  const auth::Authenticator& authenticator = *instance_.authenticator;
  auto now = static_cast<int64_t>(std::time(nullptr));
  Result<auth::MaybeActor> actor =
      authenticator.handoff()
          ? authenticator.AuthenticateHandoff(request.Header(auth::kIdentityHeader), now)
          : authenticator.Authenticate(request.Header("authorization"), request.Header("cookie"),
                                       now);
  if (!actor.ok()) {
    Response response = Response::Json(401, format::ErrorJson(actor.status(), 401));
    if (!authenticator.handoff()) {
      response.AddHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    return response;
  }
  request.actor = std::move(actor).value();
  return std::nullopt;
}

Response App::HandleApiRequest(api::Request& request) const {
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
  if (request.actor) MakeCachePrivate(response);
  if (options_.cors) AddCorsHeaders(response);
  return response;
}

Response App::Route(api::Request& request) const {
  std::string_view path = instance_.urls().StripBase(request.path);
  const ui::Assets& assets = renderer_.assets();
  std::optional<RouteMatch> match =
      MatchRoute(path, [&assets](std::string_view p) { return assets.IsMounted(p); });
  if (!match) return NotFoundResponse(request, NotFound("404"));
  if (!RowTakes(*match->row, request.method)) return MethodNotAllowed(request);
  request.url_vars = match->row->pattern.UrlVars(match->route);
  if (instance_.hidden_means_absent && !match->route.database.empty()) {
    // Hosting mode: a database the actor may see nothing of is not there, whatever the page.
    std::string database = TildeDecode(match->route.database);
    if (instance_.registry.Find(database) && !api::MaySeeDatabase(instance_, request, database)) {
      return NotFoundResponse(request,
                              NotFound("Database not found").About(ErrorSubject::kDatabase));
    }
  }
  RouteContext ctx{instance_, request, match->route, renderer_};
  Response response = match->row->handler(ctx);
  if (match->row->json_twin && response.status == 200 && !response.deferred &&
      response.content_type.starts_with("text/html")) {
    response.AddHeader("Link", "<" + JsonTwinUrl(request) +
                                   ">; rel=\"alternate\"; type=\"application/json+datasette\"");
  }
  return response;
}

}  // namespace almanac::web
