// /-/auth-token, /-/logout, /-/create-token, /-/permissions, /-/check, /-/allowed, /-/rules.
#include <array>
#include <ctime>

#include "api/permission_pages.h"
#include "api/resolve.h"
#include "auth/signer.h"
#include "core/url.h"
#include "ui/auth_html.h"
#include "web/handler_util.h"
#include "web/handlers.h"
#include "web/oauth_routes.h"

namespace almanac::web {
namespace {

using format::JsonValue;

// These pages have no JSON twin (Datasette's has_json_alternate = False).
ui::RenderContext NoTwin(const RouteContext& ctx) { return {ctx.instance, ctx.request, ""}; }

Response PageJson(const Result<api::SpecialPage>& page, const api::Request& request) {
  if (!page.ok()) return ErrorResponse(page.status(), ErrorFormat::kJson);
  (void)request;
  return Response::Json(200, format::ToJsonText(page->data));
}

Response Forbidden(const api::Request& request, std::string message) {
  return ErrorResponse(PermissionDenied(std::move(message)), FormatForPath(request));
}

}  // namespace

Response HandleAuthToken(const RouteContext& ctx) {
  const api::Request& request = ctx.request;
  std::string home = ctx.instance.urls().Instance();
  if (request.actor && request.actor->id() == "root") return Response::Redirect(home);
  if (!ctx.instance.authenticator) return Forbidden(request, "Root token has already been used");
  const std::string* token = request.Arg("token");
  Status s = ctx.instance.authenticator->ConsumeRootToken(token ? *token : "");
  if (!s.ok()) return ErrorResponse(s, FormatForPath(request));
  Response response = Response::Redirect(home);
  JsonValue root = JsonValue::MakeObject({{"id", JsonValue::String("root")}});
  response.AddHeader("Set-Cookie", auth::SetActorCookieHeader(auth::MakeActorCookie(
                                       ctx.instance.authenticator->secret(), root)));
  return response;
}

Response HandleLogout(const RouteContext& ctx) {
  const api::Request& request = ctx.request;
  std::string home = ctx.instance.urls().Instance();
  if (request.method == "POST") {
    Response response = Response::Redirect(home);
    response.AddHeader("Set-Cookie", auth::ClearActorCookieHeader());
    return response;
  }
  if (!request.actor) return Response::Redirect(home);
  return Response::Html(200, ctx.ui.Logout(request.actor->data, NoTwin(ctx)));
}

// Datasette's CreateTokenView.check_permission.
Status CanCreateToken(const api::Instance& instance, const api::Request& request) {
  if (!instance.settings.allow_signed_tokens || !instance.authenticator) {
    return PermissionDenied("Signed tokens are not enabled for this Datasette instance");
  }
  if (!request.actor) return PermissionDenied("You must be logged in to create a token");
  const JsonValue* id = request.actor->data.Find("id");
  if (!id || !id->Truthy()) {
    return PermissionDenied("You must be logged in as an actor with an ID to create a token");
  }
  if (const JsonValue* token = request.actor->data.Find("token"); token && token->Truthy()) {
    return PermissionDenied("Token authentication cannot be used to create additional tokens");
  }
  return Status::Ok();
}

namespace {

std::vector<std::string> Split(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = key.find(':', start)) != std::string::npos; start = colon + 1) {
    parts.push_back(key.substr(start, colon - start));
  }
  parts.push_back(key.substr(start));
  return parts;
}

// Reads the create-token form into a token spec; bad durations are reported, not fatal.
auth::TokenSpec TokenFromForm(const QueryArgs& form, const std::string& actor_id,
                              std::vector<std::string>& errors) {
  auto field = [&](std::string_view key) -> std::string {
    for (const auto& [k, v] : form) {
      if (k == key) return v;
    }
    return {};
  };
  auth::TokenSpec spec{actor_id, static_cast<int64_t>(std::time(nullptr)), std::nullopt, {}};
  if (std::string unit = field("expire_type"); !unit.empty()) {
    std::string duration = field("expire_duration");
    bool digits = !duration.empty() && duration.size() < 12 &&
                  duration.find_first_not_of("0123456789") == std::string::npos;
    int64_t n = digits ? std::stoll(duration) : 0;
    static constexpr std::array<std::pair<std::string_view, int64_t>, 3> kUnits = {
        {{"minutes", 60}, {"hours", 3600}, {"days", 86400}}};
    if (n <= 0) {
      errors.push_back("Invalid expire duration");
    } else {
      errors.push_back("Invalid expire duration unit");
      for (const auto& [name, seconds] : kUnits) {
        if (unit == name) spec.expires_after = n * seconds, errors.pop_back();
      }
    }
  }
  for (const auto& [key, value] : form) {
    std::vector<std::string> bits = Split(key);
    if (bits[0] == "all" && bits.size() == 2) {
      spec.restrictions.AllowAll(bits[1]);
    } else if (bits[0] == "database" && bits.size() == 3) {
      spec.restrictions.AllowDatabase(TildeDecode(bits[1]), bits[2]);
    } else if (bits[0] == "resource" && bits.size() == 4) {
      spec.restrictions.AllowResource(TildeDecode(bits[1]), TildeDecode(bits[2]), bits[3]);
    }
  }
  return spec;
}

}  // namespace

Response HandleCreateToken(const RouteContext& ctx) {
  const api::Instance& instance = ctx.instance;
  const api::Request& request = ctx.request;
  if (Status s = CanCreateToken(instance, request); !s.ok()) {
    return ErrorResponse(s, FormatForPath(request));
  }
  ui::CreateTokenModel model{request.actor->data,
                             api::ViewableDatabases(instance, request.actor),
                             {},
                             std::nullopt,
                             std::nullopt};
  if (request.method == "POST") {
    auth::TokenSpec spec =
        TokenFromForm(api::ParseForm(request.body), request.actor->id(), model.errors);
    const std::string& secret = instance.authenticator->secret();
    model.token = auth::CreateToken(secret, spec);
    Result<JsonValue> bits =
        auth::Signer(secret, "token")
            .Loads(std::string_view(*model.token).substr(auth::kTokenPrefix.size()));
    if (bits.ok()) model.token_bits = std::move(bits).value();
  }
  return Response::Html(200, ctx.ui.CreateToken(model, NoTwin(ctx)));
}

Response HandlePermissionsDebug(const RouteContext& ctx) {
  const api::Instance& instance = ctx.instance;
  const api::Request& request = ctx.request;
  if (request.method == "POST") {
    return PageJson(api::PermissionsDebugPost(instance, request), request);
  }
  for (auto [action, message] : {std::pair{auth::Action::kViewInstance, "view-instance"},
                                 std::pair{auth::Action::kPermissionsDebug, "permissions-debug"}}) {
    Status s = api::Require(instance, request, action, auth::Resource::Instance(), message);
    if (!s.ok()) return ErrorResponse(s, FormatForPath(request));
  }
  const std::string* filter = request.Arg("filter");
  std::string f = filter && !filter->empty() ? *filter : "all";
  std::vector<auth::PermissionCheck> checks = instance.permissions.RecentChecks();
  if (f == "exclude-yours" || f == "only-yours") {
    std::string mine = request.actor ? request.actor->id() : "";
    std::erase_if(checks, [&](const auth::PermissionCheck& c) {
      bool is_mine = (c.actor ? c.actor->id() : "") == mine;
      return f == "only-yours" ? !is_mine : is_mine;
    });
  }
  return Response::Html(200, ctx.ui.Wrap(ui::RenderPermissionsDebug(checks, f), NoTwin(ctx)));
}

// /-/check, /-/allowed, /-/rules: an HTML form, or the JSON answer for .json.
Response HandlePermissionDebugPage(const RouteContext& ctx) {
  const api::Instance& instance = ctx.instance;
  const api::Request& request = ctx.request;
  const std::string& name = ctx.route.name;
  if (name != "allowed") {
    Status s = api::Require(instance, request, auth::Action::kPermissionsDebug,
                            auth::Resource::Instance(), "permissions-debug");
    if (!s.ok()) return ErrorResponse(s, FormatForPath(request));
  }
  if (ctx.route.format.empty()) {
    std::string actor = request.actor ? format::ToJsonText(request.actor->data) : "null";
    if (const std::string* given = request.Arg("actor")) actor = *given;
    return Response::Html(200, ctx.ui.Wrap(ui::RenderPermissionForm(name, actor), NoTwin(ctx)));
  }
  Response response = name == "check"     ? PageJson(api::CheckPage(instance, request), request)
                      : name == "allowed" ? PageJson(api::AllowedPage(instance, request), request)
                                          : PageJson(api::RulesPage(instance, request), request);
  return response;
}

Response CsrfErrorResponse(const std::string& reason) {
  return Response::Html(403, ui::RenderCsrfError(reason));
}

}  // namespace almanac::web
