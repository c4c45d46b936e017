// Sign-in pages: log out, create an API token; and the permission-debugging pages wrapped in
// the common layout.
#include "ui/view.h"

namespace almanac::ui {

std::string Renderer::Logout(const format::JsonValue& actor, const RenderContext& ctx) const {
  Data data;
  data.set("actor_json", PrettyJson(actor));
  Frame frame{"Log out", "logout", {}, ""};
  return RenderPage(assets_, "logout", std::move(data), frame, ctx);
}

std::string Renderer::CreateToken(const CreateTokenModel& model, const RenderContext& ctx) const {
  Data data;
  data.set("actor_json", PrettyJson(model.actor));
  Data errors = List();
  for (const std::string& e : model.errors) errors.push_back(Data("message", Str(e)));
  data.set("has_errors", !model.errors.empty());
  Put(data, "errors", std::move(errors));
  data.set("restrictions", RestrictionBoxes(model.databases));
  if (model.token) data.set("token", *model.token);
  if (model.token_bits) data.set("token_bits", PrettyJson(*model.token_bits));
  Frame frame{"Create an API token", "create-token", {}, ""};
  return RenderPage(assets_, "create_token", std::move(data), frame, ctx);
}

std::string Renderer::Wrap(const HtmlPage& page, const RenderContext& ctx) const {
  Data data;
  data.set("body", page.body);
  Frame frame{page.title, "debug", {}, ""};
  return RenderPage(assets_, "wrapped", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
