#include "ui/renderer.h"

#include "ui/json_html.h"
#include "ui/view.h"

namespace almanac::ui {

std::string Renderer::Special(const api::SpecialPage& page, const RenderContext& ctx) const {
  Data data;
  data.set("heading", page.title);
  // "ok" and "unstable" are JSON envelope noise on a page meant for reading.
  format::JsonValue shown = page.data;
  if (shown.is_object()) {
    format::JsonValue::Object members;
    for (auto& [k, v] : shown.as_object()) {
      if (k != "ok" && k != "unstable") members.emplace_back(k, v);
    }
    shown = format::JsonValue::MakeObject(std::move(members));
  }
  data.set("body", JsonToHtml(shown));
  SetIf(data, "json_href", ctx.json_url);
  Frame frame{page.title, "special", Crumbs(ctx, ""), ""};
  return RenderPage(assets_, "special", std::move(data), frame, ctx);
}

std::string Renderer::Error(int status, std::string_view message, const RenderContext& ctx) const {
  Data data;
  std::string title = status == 404   ? "Not found"
                      : status == 403 ? "Forbidden"
                      : status == 401 ? "Sign in required"
                      : status == 400 ? "Bad request"
                                      : "Error";
  data.set("heading", title);
  data.set("status", std::to_string(status));
  data.set("message", std::string(message));
  Frame frame{"Error " + std::to_string(status), "error", Crumbs(ctx, ""), ""};
  RenderContext error_ctx{ctx.instance, ctx.request, ""};
  return RenderPage(assets_, "error", std::move(data), frame, error_ctx);
}

}  // namespace almanac::ui
