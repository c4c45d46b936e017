// The OAuth 2.0 device flow that `dclient login` and `almanac client login` run (RFC 8628, as
// dclient 0.5a3 speaks it): POST /-/oauth/device starts a login, a signed-in user approves its
// code on /-/oauth/device/verify, POST /-/oauth/token hands the client a signed API token.
// Answers follow RFC 6749 §5.2 ({"error": code}) and never say slow_down (dclient aborts on it).
#include "web/oauth_routes.h"

#include <ctime>
#include <optional>
#include <string>

#include "api/permission_pages.h"
#include "auth/device_flow.h"
#include "auth/token.h"
#include "format/json_value.h"
#include "ui/auth_html.h"
#include "ui/html.h"
#include "web/handler_util.h"

namespace almanac::web {
namespace {

using format::JsonValue;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// The logins waiting for approval: one set per process (one instance is served per process;
// a restart forgets them, as their clients then poll an unknown code and start again).
auth::DeviceFlow& Flow() {
  static auth::DeviceFlow flow;
  return flow;
}

std::string FormField(const QueryArgs& form, std::string_view name) {
  for (const auto& [key, value] : form) {
    if (key == name) return value;
  }
  return {};
}

Response OAuthError(int status, std::string_view code, std::string_view description) {
  Response response = Response::Json(status, auth::OAuthErrorJson(status, code, description));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

// Device logins mint signed tokens: refused when the instance has them off.
std::optional<Response> SignedTokensOff(const api::Instance& instance) {
  if (instance.settings.allow_signed_tokens && instance.authenticator) return std::nullopt;
  return OAuthError(403, "access_denied", "Signed API tokens are not enabled on this instance");
}

std::string VerifyPath(const api::Instance& instance) {
  return instance.urls().Instance() + "-/oauth/device/verify";
}

// The verify page's form, with the pending login's requested scope when the code is known.
std::string VerifyForm(const RouteContext& ctx, const std::string& code,
                       const std::optional<std::string>& scope, const std::string& notice) {
  std::string html = "<h1>Approve a device login</h1>\n";
  if (!notice.empty()) html += "<p class=\"message-error\">" + ui::Escape(notice) + "</p>\n";
  html +=
      "<p>A command-line client (such as <code>dclient login</code> or <code>almanac client "
      "login</code>) asked for an API token. Approve it only if you started that login: "
      "the client will act as <strong>" +
      ui::Escape(ctx.request.actor->id()) + "</strong>.</p>\n";
  if (scope) {
    html += "<p>It asks for: <code>" +
            ui::Escape(scope->empty() ? "everything you may do" : *scope) + "</code></p>\n";
  }
  html += "<form action=\"" + ui::Escape(VerifyPath(ctx.instance)) +
          "\" method=\"post\">\n<p><label for=\"user_code\">Code shown by the client</label> "
          "<input type=\"text\" id=\"user_code\" name=\"user_code\" autocomplete=\"off\" "
          "value=\"" +
          ui::Escape(code) +
          "\"></p>\n<p class=\"form-actions\"><button type=\"submit\" name=\"action\" "
          "value=\"approve\" class=\"primary\">Approve</button> <button type=\"submit\" "
          "name=\"action\" value=\"deny\">Deny</button></p>\n</form>\n";
  return html;
}

Response Page(const RouteContext& ctx, int status, std::string body) {
  Response response =
      Response::Html(status, ctx.ui.Wrap(ui::HtmlPage{"Approve a device login", std::move(body)},
                                         ui::RenderContext{ctx.instance, ctx.request, ""}));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

Response HandleOAuthDevice(const RouteContext& ctx) {
  if (std::optional<Response> off = SignedTokensOff(ctx.instance)) return *off;
  std::string scope = FormField(api::ParseForm(ctx.request.body), "scope");
  if (Result<auth::TokenRestrictions> parsed = auth::ParseDeviceScope(scope); !parsed.ok()) {
    return OAuthError(400, "invalid_scope", parsed.status().message());
  }
  Result<auth::DeviceFlow::Started> started = Flow().Start(scope, Now());
  if (!started.ok()) return OAuthError(503, "temporarily_unavailable", started.status().message());
  std::string verify = ctx.request.AbsoluteUrl(VerifyPath(ctx.instance));
  JsonValue body = JsonValue::MakeObject(
      {{"device_code", JsonValue::String(started->device_code)},
       {"user_code", JsonValue::String(started->user_code)},
       {"verification_uri", JsonValue::String(verify)},
       {"verification_uri_complete", JsonValue::String(verify + "?code=" + started->user_code)},
       {"expires_in", JsonValue::Int(auth::DeviceFlow::kLifetime)},
       {"interval", JsonValue::Int(auth::DeviceFlow::kInterval)}});
  Response response = Response::Json(200, format::ToJsonText(body));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

Response HandleOAuthToken(const RouteContext& ctx) {
  if (std::optional<Response> off = SignedTokensOff(ctx.instance)) return *off;
  QueryArgs form = api::ParseForm(ctx.request.body);
  if (FormField(form, "grant_type") != auth::kDeviceGrant) {
    return OAuthError(400, "unsupported_grant_type",
                      "grant_type must be " + std::string(auth::kDeviceGrant));
  }
  std::string device_code = FormField(form, "device_code");
  if (device_code.empty()) return OAuthError(400, "invalid_request", "device_code is missing");
  int64_t now = Now();
  auth::DeviceFlow::Poll poll = Flow().Take(device_code, now);
  if (std::optional<auth::DevicePollError> error = auth::PollErrorOf(poll.state)) {
    return OAuthError(400, error->code, error->description);
  }
  Result<auth::TokenRestrictions> restrictions = auth::ParseDeviceScope(poll.scope);
  if (!restrictions.ok()) return OAuthError(400, "invalid_scope", restrictions.status().message());
  int64_t ttl = ctx.instance.settings.max_signed_tokens_ttl;
  auth::TokenSpec spec{poll.actor_id, now, ttl > 0 ? std::optional<int64_t>(ttl) : std::nullopt,
                       std::move(restrictions).value()};
  JsonValue body = JsonValue::MakeObject(
      {{"access_token",
        JsonValue::String(auth::CreateToken(ctx.instance.authenticator->secret(), spec))},
       {"token_type", JsonValue::String("bearer")}});
  if (ttl > 0) body.Set("expires_in", JsonValue::Int(ttl));
  Response response = Response::Json(200, format::ToJsonText(body));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

Response HandleOAuthVerify(const RouteContext& ctx) {
  const api::Request& request = ctx.request;
  if (Status s = CanCreateToken(ctx.instance, request); !s.ok()) {
    std::string message = s.message();
    if (!request.actor) {
      message +=
          ": sign in first (for example through the URL `almanac serve --root` prints), "
          "then open this page again";
    }
    return ErrorResponse(PermissionDenied(std::move(message)), ErrorFormat::kHtml);
  }
  auth::DeviceFlow& flow = Flow();
  int64_t now = Now();
  if (request.method != "POST") {
    const std::string* code = request.Arg("code");
    std::string typed = code ? *code : "";
    std::optional<std::string> scope = typed.empty() ? std::nullopt : flow.PendingScope(typed, now);
    std::string notice = !typed.empty() && !scope ? "No login is waiting for this code." : "";
    return Page(ctx, 200, VerifyForm(ctx, typed, scope, notice));
  }
  QueryArgs form = api::ParseForm(request.body);
  std::string code = FormField(form, "user_code");
  bool approve = FormField(form, "action") == "approve";
  Status decided = flow.Decide(
      code, approve ? std::optional<std::string>(request.actor->id()) : std::nullopt, now);
  if (!decided.ok()) {
    return Page(ctx, 400, VerifyForm(ctx, code, std::nullopt, decided.message()));
  }
  return Page(ctx, 200,
              approve ? "<h1>Device approved</h1>\n<p>The client now receives a token: return "
                        "to your terminal.</p>\n"
                      : "<h1>Device denied</h1>\n<p>The client's login was refused.</p>\n");
}

}  // namespace almanac::web
