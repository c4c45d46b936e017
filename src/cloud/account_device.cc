// AccountPages: the OAuth 2.0 device flow of `dclient login` and `almanac client login` for a
// space, answered by the front door. The worker serves the same protocol for `almanac serve`
// (web/oauth_routes.cc), minting signed dstok_ tokens with its own secret; in hosting mode a
// token must outlive any worker and be revocable, so here it is a stored almt_ token of the
// member who approved, in that space, narrowed to the scope the client asked for.
#include <charconv>
#include <ctime>

#include "auth/device_flow.h"
#include "cloud/account_pages.h"
#include "core/url.h"

namespace almanac::cloud {
namespace {

using format::JsonValue;

http::Response OAuthError(int status, std::string_view code, std::string_view description) {
  http::Response response =
      http::Response::Json(status, auth::OAuthErrorJson(status, code, description));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

http::Response OAuthJson(const JsonValue& body) {
  http::Response response = http::Response::Json(200, format::ToJsonText(body));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

auth::DeviceFlow& AccountPages::DeviceFlowOf(const std::string& space) {
  // A name that is no space's gets its answers from one flow shared by all such names (bounded
  // like any flow by its pending logins), so that the device login does not tell which names
  // are spaces; nobody can approve its codes (the verify page wants a member of the space).
  std::string key = spaces_.Exists(space) ? space : std::string();
  std::lock_guard lock(device_mutex_);
  std::unique_ptr<auth::DeviceFlow>& flow = device_flows_[key];
  if (!flow) flow = std::make_unique<auth::DeviceFlow>();
  return *flow;
}

http::Response AccountPages::DeviceLogin(const std::string& space, DeviceStep step,
                                         const http::Request& request,
                                         const std::string& verify_path) {
  switch (step) {
    case DeviceStep::kStart:
      return DeviceStart(space, request, verify_path);
    case DeviceStep::kToken:
      return DeviceToken(space, request);
    case DeviceStep::kVerify:
      break;
  }
  return DeviceVerify(space, request, verify_path);
}

http::Response AccountPages::DeviceStart(const std::string& space, const http::Request& request,
                                         const std::string& verify_path) {
  if (request.method != "POST") return OAuthError(405, "invalid_request", "Use POST");
  std::map<std::string, std::string> form = ParseForm(request.body);
  std::string scope = form.count("scope") ? form["scope"] : "";
  if (Result<auth::TokenRestrictions> parsed = auth::ParseDeviceScope(scope); !parsed.ok()) {
    return OAuthError(400, "invalid_scope", parsed.status().message());
  }
  Result<auth::DeviceFlow::Started> started = DeviceFlowOf(space).Start(scope, std::time(nullptr));
  if (!started.ok()) return OAuthError(503, "temporarily_unavailable", started.status().message());
  const std::string* host = request.Header("host");
  std::string verify = "http://" + (host ? *host : std::string("localhost")) + verify_path;
  return OAuthJson(JsonValue::MakeObject(
      {{"device_code", JsonValue::String(started->device_code)},
       {"user_code", JsonValue::String(started->user_code)},
       {"verification_uri", JsonValue::String(verify)},
       {"verification_uri_complete", JsonValue::String(verify + "?code=" + started->user_code)},
       {"expires_in", JsonValue::Int(auth::DeviceFlow::kLifetime)},
       {"interval", JsonValue::Int(auth::DeviceFlow::kInterval)}}));
}

http::Response AccountPages::DeviceToken(const std::string& space, const http::Request& request) {
  if (request.method != "POST") return OAuthError(405, "invalid_request", "Use POST");
  std::map<std::string, std::string> form = ParseForm(request.body);
  if (form["grant_type"] != auth::kDeviceGrant) {
    return OAuthError(400, "unsupported_grant_type",
                      "grant_type must be " + std::string(auth::kDeviceGrant));
  }
  std::string device_code = form["device_code"];
  if (device_code.empty()) return OAuthError(400, "invalid_request", "device_code is missing");
  int64_t now = std::time(nullptr);
  auth::DeviceFlow::Poll poll = DeviceFlowOf(space).Take(device_code, now);
  if (std::optional<auth::DevicePollError> error = auth::PollErrorOf(poll.state)) {
    return OAuthError(400, error->code, error->description);
  }
  int64_t account_id = 0;
  std::from_chars(poll.actor_id.data(), poll.actor_id.data() + poll.actor_id.size(), account_id);
  Result<auth::TokenRestrictions> restrictions = auth::ParseDeviceScope(poll.scope);
  if (!restrictions.ok()) return OAuthError(400, "invalid_scope", restrictions.status().message());
  std::string restricted =
      restrictions->empty() ? "" : format::ToJsonText(restrictions->Abbreviated());
  // Writing control.db waits for its lock and the disk: on the slow pool, not an I/O thread.
  http::Response response;
  response.deferred = [this, space, account_id, restricted,
                       now](std::function<void(http::Response)> reply) {
    slow_.Submit([this, space, account_id, restricted, now, reply] {
      if (!store_.RoleIn(space, account_id)) {
        reply(OAuthError(400, "access_denied", "The account is no longer a member of the space"));
        return;
      }
      Result<control::ControlStore::NewToken> token =
          store_.CreateToken(space, account_id, "device login", restricted, std::nullopt, now);
      if (!token.ok()) {
        reply(OAuthError(503, "temporarily_unavailable", token.status().message()));
        return;
      }
      JsonValue details = JsonValue::MakeObject();
      details.Set("token_id", JsonValue::Int(token->record.id));
      details.Set("name", JsonValue::String(token->record.name));
      if (!restricted.empty()) details.Set("restrictions", JsonValue::String(restricted));
      (void)store_.Audit(token->record.account_name, space, "token-create",
                         format::ToJsonText(details), now);
      reply(OAuthJson(JsonValue::MakeObject({{"access_token", JsonValue::String(token->secret)},
                                             {"token_type", JsonValue::String("bearer")}})));
    });
  };
  return response;
}

http::Response AccountPages::DeviceVerify(const std::string& space, const http::Request& request,
                                          const std::string& verify_path) {
  Context c;
  LoadVisitor(c, request);
  std::string code = c.Query("code");
  if (!c.account) {
    if (options_.domain.empty()) {
      std::string back = verify_path + (code.empty() ? "" : "?code=" + QuotePlus(code));
      return http::Response::Redirect("/-/signin?next=" + QuotePlus(back), 303);
    }
    return Fail(c, 401,
                "Sign in first (on " + options_.domain + "/-/signin), then open this page again");
  }
  std::optional<control::Role> role = store_.RoleIn(space, c.account->id);
  if (!role) return Fail(c, 403, "You are not a member of this space");
  auth::DeviceFlow& flow = DeviceFlowOf(space);
  std::string notice;
  if (request.method == "POST") {
    if (std::optional<std::string> refused = CrossSiteRejection(request)) {
      return Fail(c, 403, *refused);
    }
    c.form = ParseForm(request.body);
    if (!control::SameSecret(c.Field("csrf"), c.csrf)) {
      return Fail(c, 403,
                  "This form has expired or came from another site: reload it and try again");
    }
    code = c.Field("user_code");
    bool approve = c.Field("action") == "approve";
    Status decided = flow.Decide(
        code, approve ? std::optional<std::string>(std::to_string(c.account->id)) : std::nullopt,
        c.now);
    if (decided.ok()) {
      std::string html =
          approve ? "<h1>Device approved</h1>\n<p>The client now receives an API token for " +
                        Escape(space) +
                        " (listed with your tokens, where you can revoke it): return to your "
                        "terminal.</p>\n"
                  : "<h1>Device denied</h1>\n<p>The client's login was refused.</p>\n";
      return Render(c, 200, approve ? "Device approved" : "Device denied", {}, html);
    }
    notice = decided.message();
  } else if (request.method != "GET" && request.method != "HEAD") {
    return Fail(c, 405, "Method not allowed");
  }
  std::optional<std::string> scope = code.empty() ? std::nullopt : flow.PendingScope(code, c.now);
  if (notice.empty() && !code.empty() && !scope) notice = "No login is waiting for this code.";
  std::string html = "<h1>Approve a device login</h1>\n";
  if (!notice.empty()) html += "<p class=\"message-error\">" + Escape(notice) + "</p>\n";
  html +=
      "<p>A command-line client (such as <code>dclient login</code> or <code>almanac client "
      "login</code>) asked for an API token for the space <strong>" +
      Escape(space) +
      "</strong>. Approve it only if you started that login: the client will act as <strong>" +
      Escape(c.account->name) + "</strong>, with your role (" +
      std::string(control::RoleName(*role)) + ").</p>\n";
  if (scope) {
    html += "<p>It asks for: <code>" + Escape(scope->empty() ? "everything you may do" : *scope) +
            "</code></p>\n";
  }
  html += "<form action=\"" + Escape(verify_path) + "\" method=\"post\">" + CsrfField(c) +
          "\n<p><label for=\"user_code\">Code shown by the client</label> <input type=\"text\" "
          "id=\"user_code\" name=\"user_code\" autocomplete=\"off\" value=\"" +
          Escape(code) +
          "\"></p>\n<p><button type=\"submit\" name=\"action\" value=\"approve\" "
          "class=\"primary\">Approve</button> <button type=\"submit\" name=\"action\" "
          "value=\"deny\">Deny</button></p>\n</form>\n";
  return Render(c, notice.empty() ? 200 : 400, "Approve a device login", {}, html);
}

}  // namespace almanac::cloud
