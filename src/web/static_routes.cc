#include "http/encoding.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {
namespace {

// 200 with the file, or 304 when the client already holds this version.
Response FileResponse(const api::Request& request, const ui::StaticFile& file,
                      std::string cache_control) {
  Response response;
  const std::string* match = request.Header("if-none-match");
  // The transport tags a gzip'd copy "<etag>-gzip": the same version of the file.
  bool held = match && http::StripGzipSuffix(*match) == file.etag;
  if (held) {
    response.status = 304;
  } else {
    response.body = file.content;
  }
  response.content_type = file.content_type;
  response.AddHeader("ETag", held ? *match : file.etag);
  response.AddHeader("Cache-Control", std::move(cache_control));
  return response;
}

}  // namespace

Response HandleStatic(const RouteContext& ctx) {
  std::string_view name = ctx.route.rest;
  const ui::StaticFile* file = ctx.ui.assets().Static(name);
  if (!file) return Response::Html(404, "404: File not found");
  // URLs carrying the current content hash (?v=) never change: cache them for a year.
  const std::string* version = ctx.request.Arg("v");
  bool fingerprinted = version && file->etag.find(*version) == 1 && version->size() >= 8;
  return FileResponse(ctx.request, *file,
                      fingerprinted ? "public, max-age=31536000, immutable" : "max-age=3600");
}

Response HandleStaticMount(const RouteContext& ctx) {
  std::optional<Result<ui::StaticFile>> file = ctx.ui.assets().ReadMounted("/" + ctx.route.rest);
  if (!file || !file->ok()) return Response::Html(404, "404: File not found");
  return FileResponse(ctx.request, **file, "max-age=3600");
}

Response HandleFavicon(const RouteContext& ctx) {
  const ui::StaticFile* file = ctx.ui.assets().Static("favicon.png");
  if (!file) return Response::Html(404, "404: File not found");
  return FileResponse(ctx.request, *file, "max-age=3600, public");
}

Response HandleDashRedirect(const RouteContext& ctx) {
  return Response::Redirect(ctx.instance.urls().Path("-/"), 301);
}

}  // namespace almanac::web
