// The change feed: /<db>/-/changes.json (pages) and /<db>/-/changes (Server-Sent Events); the
// backlinks API: /<db>/-/links.json and /<db>/-/links/all.json (JSON with or without .json).
#include <memory>
#include <utility>

#include "api/changes_feed.h"
#include "api/links_pages.h"
#include "core/url.h"
#include "web/change_stream.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {

Response HandleChanges(const RouteContext& ctx) {
  std::string database = TildeDecode(ctx.route.database);
  if (IsJson(ctx.route.format)) {
    Result<std::string> page = api::ChangesPageJson(ctx.instance, ctx.request, database);
    if (!page.ok()) return ErrorResponse(page.status(), ErrorFormat::kJson);
    return Response::Json(200, std::move(page).value());
  }
  Result<api::ChangesArgs> args = api::ParseChangesArgs(ctx.instance, ctx.request, database, true);
  if (!args.ok()) return ErrorResponse(args.status(), ErrorFormat::kJson);
  Response response;
  response.content_type = "text/event-stream; charset=utf-8";
  response.AddHeader("Cache-Control", "no-cache");
  response.AddHeader("X-Accel-Buffering", "no");  // a proxy in front must not hold events back
  response.stream =
      std::make_shared<ChangeStream>(ctx.instance, std::move(args).value(), ctx.request.actor);
  return response;
}

namespace {

Response JsonOrError(const Result<std::string>& body) {
  if (!body.ok()) return ErrorResponse(body.status(), ErrorFormat::kJson);
  return Response::Json(200, *body);
}

}  // namespace

Response HandleLinks(const RouteContext& ctx) {
  return JsonOrError(
      api::LinksPageJson(ctx.instance, ctx.request, TildeDecode(ctx.route.database)));
}

Response HandleLinksAll(const RouteContext& ctx) {
  return JsonOrError(api::LinksAllJson(ctx.instance, ctx.request, TildeDecode(ctx.route.database)));
}

}  // namespace almanac::web
