#include "cloud/account_pages.h"

#include <charconv>
#include <ctime>

#include "auth/csrf.h"
#include "auth/session.h"
#include "format/error_json.h"

namespace almanac::cloud {
namespace {

// Where to go after signing in: a local path only (never another site).
std::string SafeNext(const std::string& next) {
  if (next.size() < 2 || next[0] != '/' || next[1] == '/' || next[1] == '\\') return "/-/spaces";
  return next;
}

std::string SetCookie(std::string_view name, std::string_view value, const std::string& domain,
                      int64_t max_age) {
  std::string header = std::string(name) + "=" + std::string(value) +
                       "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (!domain.empty()) header += "; Domain=" + domain;
  return header;
}

bool IsFrontDoorCookie(std::string_view name) {
  return name == kSessionCookie || name == kCsrfCookie;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string Context::Field(const std::string& name) const {
  if (json) {
    const format::JsonValue* value = body.Find(name);
    if (!value) return "";
    if (value->is_string()) return value->as_string();
    if (value->is_int()) return std::to_string(value->as_int());
    if (value->is_bool()) return value->as_bool() ? "1" : "0";
    return "";
  }
  auto found = form.find(name);
  return found == form.end() ? std::string() : found->second;
}

AccountPages::AccountPages(control::ControlStore& store, const Spaces& spaces,
                           AccountOptions options)
    : store_(store),
      spaces_(spaces),
      options_(std::move(options)),
      account_failures_(options_.signin_failures_per_account, options_.signin_window),
      address_failures_(options_.signin_failures_per_address, options_.signin_window),
      slow_(2, "control") {}

AccountPages::~AccountPages() { slow_.Shutdown(); }

bool AccountPages::Owns(const http::Request& request) {
  return request.path == "/-" || request.path.starts_with("/-/");
}

std::optional<std::string> AccountPages::CookiesForWorker(const std::string& cookie_header) {
  std::string kept;
  std::string_view rest(cookie_header);
  while (!rest.empty()) {
    size_t semicolon = rest.find(';');
    std::string_view pair = Trim(rest.substr(0, semicolon));
    rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    if (pair.empty()) continue;
    std::string_view name = Trim(pair.substr(0, pair.find('=')));
    if (IsFrontDoorCookie(name)) continue;
    if (!kept.empty()) kept += "; ";
    kept += pair;
  }
  if (kept.empty()) return std::nullopt;
  return kept;
}

std::string_view AccountPages::BearerToken(const http::Request& request) {
  const std::string* authorization = request.Header("authorization");
  if (!authorization || !authorization->starts_with("Bearer ")) return {};
  return std::string_view(*authorization).substr(7);
}

Caller AccountPages::Identify(const std::string& space, const http::Request& request,
                              bool admin_token) {
  Caller caller;
  int64_t now = std::time(nullptr);
  const std::string* authorization = request.Header("authorization");
  if (authorization && authorization->starts_with("Bearer ")) {
    std::string_view token = std::string_view(*authorization).substr(7);
    if (admin_token) {
      caller.kind = Caller::kAdminToken;
      caller.actor = auth::Actor{format::JsonValue::MakeObject()};
      caller.actor->data.Set("id", format::JsonValue::String("root"));
      return caller;
    }
    caller.kind = Caller::kRefused;
    caller.status = 401;
    caller.message = "Invalid token for this space";
    Result<control::TokenRecord> used = store_.UseToken(token, now);
    if (!used.ok() || used->space != space) return caller;
    std::optional<control::Role> role = store_.RoleIn(space, used->account_id);
    if (!role) {
      caller.message = "This token's account is no longer a member of this space";
      return caller;
    }
    caller.kind = Caller::kMember;
    caller.actor = auth::Actor{format::JsonValue::MakeObject()};
    caller.actor->data.Set("id", format::JsonValue::String(used->account_name));
    caller.actor->data.Set("role", format::JsonValue::String(std::string(RoleName(*role))));
    caller.actor->data.Set("space", format::JsonValue::String(space));
    caller.actor->data.Set("token", format::JsonValue::String("almt"));
    caller.actor->data.Set("token_id", format::JsonValue::Int(used->id));
    if (!used->restrictions.empty()) {
      if (Result<format::JsonValue> r = format::ParseJson(used->restrictions); r.ok()) {
        caller.actor->data.Set("_r", std::move(r).value());
      }
    }
    return caller;
  }
  const std::string* cookies = request.Header("cookie");
  if (!cookies) return caller;
  std::optional<std::string> session = auth::CookieValue(*cookies, kSessionCookie);
  if (!session) return caller;
  std::optional<control::Account> account = store_.SessionAccount(*session, now);
  if (!account) return caller;
  std::optional<control::Role> role = store_.RoleIn(space, account->id);
  if (!role) {
    caller.kind = Caller::kRefused;
    caller.status = 403;
    caller.message = "You are not a member of this space";
    return caller;
  }
  caller.kind = Caller::kMember;
  caller.by_session = true;
  caller.actor = auth::Actor{format::JsonValue::MakeObject()};
  caller.actor->data.Set("id", format::JsonValue::String(account->name));
  caller.actor->data.Set("role", format::JsonValue::String(std::string(RoleName(*role))));
  caller.actor->data.Set("space", format::JsonValue::String(space));
  return caller;
}

// --- requests ---

std::optional<std::string> AccountPages::CrossSiteRejection(const http::Request& request) {
  auth::CsrfInput input;
  input.method = request.method;
  input.cookie = request.Header("cookie");
  input.origin = request.Header("origin");
  input.sec_fetch_site = request.Header("sec-fetch-site");
  input.host = request.Header("host");
  input.referer = request.Header("referer");  // another site's, without Origin: refused
  return auth::CsrfRejection(input);
}

void AccountPages::LoadVisitor(Context& c, const http::Request& request) {
  c.now = std::time(nullptr);
  if (const std::string* cookies = request.Header("cookie")) {
    if (auto session = auth::CookieValue(*cookies, kSessionCookie)) {
      c.session_cookie = *session;
      c.account = store_.SessionAccount(*session, c.now);
      if (c.account) c.csrf = store_.SessionCsrfToken(*session);
    }
    if (!c.account) {
      if (auto token = auth::CookieValue(*cookies, kCsrfCookie)) c.csrf = *token;
    }
  }
  if (c.csrf.empty()) {  // a double-submit token for the forms of a signed-out visitor
    c.csrf = control::RandomToken(18);
    c.set_cookies.push_back(SetCookie(kCsrfCookie, c.csrf, options_.domain, 24 * 3600));
  }
  c.method = request.method;
  c.query = ParseForm(request.query_string);
  c.host = request.Header("host") ? *request.Header("host") : "";
  c.remote_address = request.remote_address;
}

http::Response AccountPages::Handle(http::Request& request) {
  if (request.path == kStylesheetPath) {
    http::Response css;
    css.content_type = "text/css; charset=utf-8";
    css.body = std::string(Stylesheet());
    css.AddHeader("Cache-Control", "max-age=3600");
    return css;
  }
  auto context = std::make_shared<Context>();
  Context& c = *context;
  c.json = request.path.starts_with("/-/api/");
  c.path = request.path.substr(c.json ? 7 : std::min<size_t>(request.path.size(), 3));
  LoadVisitor(c, request);
  if (request.method == "POST") {
    if (std::optional<std::string> refused = CrossSiteRejection(request)) {
      return Fail(c, 403, *refused);
    }
    const std::string* type = request.Header("content-type");
    if (c.json) {
      if (!type || !type->starts_with("application/json")) {
        return Fail(c, 400, "Send JSON with Content-Type: application/json");
      }
      Result<format::JsonValue> body =
          request.body.empty() ? format::JsonValue::MakeObject() : format::ParseJson(request.body);
      if (!body.ok() || !body->is_object()) return Fail(c, 400, "The body must be a JSON object");
      c.body = std::move(body).value();
    } else {
      c.form = ParseForm(request.body);
      if (!control::SameSecret(c.Field("csrf"), c.csrf)) {
        return Fail(c, 403,
                    "This form has expired or came from another site: reload it and "
                    "try again");
      }
    }
    return Deferred(context);
  } else if (request.method != "GET" && request.method != "HEAD") {
    return Fail(c, 405, "Method not allowed");
  }
  return Route(c);
}

http::Response AccountPages::Deferred(std::shared_ptr<Context> context) {
  http::Response response;
  response.deferred = [this, context](std::function<void(http::Response)> reply) {
    slow_.Submit([this, context, reply] {
      try {
        reply(Route(*context));
      } catch (const std::exception& error) {
        reply(Fail(*context, 500, error.what()));
      }
    });
  };
  return response;
}

http::Response AccountPages::Route(Context& c) {
  const std::string& p = c.path;
  bool post = c.method == "POST";
  if (p == "signup") return SignUp(c);
  if (p == "signin") return SignIn(c);
  if (p == "signout" && post) return SignOut(c);
  if (p == "" || p == "spaces") return post ? CreateSpace(c) : SpacesPage(c);
  if (p.starts_with("invite/")) return InvitationPage(c, p.substr(7));
  if (p.starts_with("spaces/")) {
    std::string_view rest = std::string_view(p).substr(7);
    size_t slash = rest.find('/');
    std::string space(rest.substr(0, slash));
    std::string_view tail =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (tail == "" || tail == "members")
      return post ? Fail(c, 405, "Method not allowed") : MembersPage(c, space);
    if (tail == "invitations" && post) return Invite(c, space);
    if (tail.starts_with("members/") && post) {
      return ChangeMember(c, space, std::string(tail.substr(8)));
    }
    if (tail == "tokens") return post ? CreateToken(c, space) : TokensPage(c, space);
    if (tail.starts_with("tokens/") && tail.ends_with("/revoke") && post) {
      std::string_view id_text = tail.substr(7, tail.size() - 7 - 7);
      int64_t id = 0;
      auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
      if (error != std::errc() || end != id_text.data() + id_text.size()) {
        return Fail(c, 404, "No such token");
      }
      return RevokeToken(c, space, id);
    }
    if (tail == "transfer" && post) {
      // The form names the new owner in a field; the JSON API uses members/ACCOUNT.
      c.form["role"] = "owner";
      return ChangeMember(c, space, c.Field("account"));
    }
    if (tail == "audit") return AuditPage(c, space);
    if (tail == "public") return post ? SetPublic(c, space) : PublicPage(c, space);
    if (tail == "queries") return post ? SaveQuery(c, space) : QueriesPage(c, space);
    if (tail == "delete" && post) return DeleteSpace(c, space);
    if (tail == "rename" && post) return RenameSpace(c, space);
  }
  return Fail(c, 404, "Not found");
}

// --- helpers ---

http::Response AccountPages::Render(Context& c, int status, std::string title,
                                    std::vector<Crumb> crumbs, std::string content,
                                    std::string message, std::string message_class) {
  PageParts page;
  page.title = std::move(title);
  page.crumbs = std::move(crumbs);
  page.signed_in_as = c.account ? c.account->name : "";
  page.csrf = c.csrf;
  page.content = std::move(content);
  page.message = std::move(message);
  page.message_class = std::move(message_class);
  http::Response response = http::Response::Html(status, RenderPage(page));
  response.AddHeader("Cache-Control", "no-store");
  response.AddHeader("X-Frame-Options", "DENY");
  for (const std::string& cookie : c.set_cookies) response.AddHeader("Set-Cookie", cookie);
  return response;
}

http::Response AccountPages::Fail(Context& c, int status, std::string message) {
  if (c.json) {
    http::Response response = http::Response::Json(status, format::ErrorJson({message}, status));
    for (const std::string& cookie : c.set_cookies) response.AddHeader("Set-Cookie", cookie);
    return response;
  }
  return Render(c, status, "Error " + std::to_string(status), {}, "", std::move(message));
}

http::Response AccountPages::NeedSignIn(Context& c) {
  if (c.json) return Fail(c, 401, "Sign in first (POST /-/api/signin)");
  return http::Response::Redirect("/-/signin", 303);
}

std::string AccountPages::CsrfField(Context& c) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Escape(c.csrf) + "\">";
}

void AccountPages::Audit(Context& c, const std::string& space, std::string_view action,
                         const format::JsonValue& details) {
  (void)store_.Audit(c.account ? c.account->name : "anonymous", space, action,
                     format::ToJsonText(details), c.now);
}

http::Response Context::Json(int status, format::JsonValue value) const {
  if (!value.Find("ok")) {
    format::JsonValue wrapped = format::JsonValue::MakeObject();
    wrapped.Set("ok", format::JsonValue::Bool(status < 400));
    if (value.is_object()) {
      for (auto& [key, member] : value.as_object()) wrapped.Set(key, member);
    }
    value = std::move(wrapped);
  }
  http::Response response = http::Response::Json(status, format::ToJsonText(value));
  for (const std::string& cookie : set_cookies) response.AddHeader("Set-Cookie", cookie);
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

// --- accounts and sessions ---

http::Response AccountPages::SignUp(Context& c) {
  bool invite_only = options_.signup == SignupMode::kInvite;
  if (c.method != "POST") return SignUpForm(c, 200, "");
  std::string invitation = c.Field("invitation");
  std::string name = c.Field("name");
  std::string email = c.Field("email");
  std::string password = c.Field("password");
  if (invite_only) {
    if (invitation.empty() || !store_.FindInvitation(invitation, c.now).ok()) {
      return c.json ? Fail(c, 403, "Sign-up needs an invitation on this server")
                    : SignUpForm(c, 403, "Sign-up needs an invitation on this server");
    }
  }
  Result<control::Account> account = store_.CreateAccount(name, email, password, c.now);
  if (!account.ok()) {
    int status = account.status().code() == ErrorCode::kConflict ? 409 : 400;
    return c.json ? Fail(c, status, account.status().message())
                  : SignUpForm(c, status, account.status().message());
  }
  c.account = *account;
  (void)store_.Audit(account->name, "", "account-create", "{}", c.now);
  std::string next = "/-/spaces";
  if (!invitation.empty()) {
    if (Result<control::Invitation> accepted =
            store_.AcceptInvitation(invitation, account->id, c.now);
        accepted.ok()) {
      format::JsonValue details = format::JsonValue::MakeObject();
      details.Set("role", format::JsonValue::String(std::string(RoleName(accepted->role))));
      Audit(c, accepted->space, "invitation-accept", details);
    }
  }
  return StartSession(c, 201, next);
}

http::Response AccountPages::StartSession(Context& c, int status, const std::string& next) {
  Result<std::string> session = store_.CreateSession(c.account->id, c.now);
  if (!session.ok()) return Fail(c, 500, session.status().message());
  c.set_cookies.clear();
  c.set_cookies.push_back(
      SetCookie(kSessionCookie, *session, options_.domain, control::kSessionSeconds));
  c.set_cookies.push_back(SetCookie(kCsrfCookie, "", options_.domain, 0));
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("account", format::JsonValue::String(c.account->name));
    out.Set("csrf", format::JsonValue::String(store_.SessionCsrfToken(*session)));
    return c.Json(status, std::move(out));
  }
  http::Response redirect = http::Response::Redirect(SafeNext(next), 303);
  for (const std::string& cookie : c.set_cookies) redirect.AddHeader("Set-Cookie", cookie);
  return redirect;
}

http::Response AccountPages::SignIn(Context& c) {
  if (c.method != "POST") return SignInForm(c, 200, "");
  std::string name = c.Field("name");
  std::string password = c.Field("password");
  auto now = control::FailureLimiter::Clock::now();
  std::string account_key = "account:" + name;
  std::string address_key = "address:" + c.remote_address;
  std::optional<int64_t> wait = account_failures_.RetryAfter(account_key, now);
  if (!wait) wait = address_failures_.RetryAfter(address_key, now);
  if (wait) {
    std::string message =
        "Too many failed sign-ins: try again in " + std::to_string(*wait) + " seconds";
    http::Response refused = c.json ? Fail(c, 429, message) : SignInForm(c, 429, message);
    refused.AddHeader("Retry-After", std::to_string(*wait));
    return refused;
  }
  Result<control::Account> account = store_.CheckPassword(name, password);
  if (!account.ok()) {
    account_failures_.RecordFailure(account_key, now);
    address_failures_.RecordFailure(address_key, now);
    return c.json ? Fail(c, 401, account.status().message())
                  : SignInForm(c, 401, account.status().message());
  }
  account_failures_.Clear(account_key);
  c.account = *account;
  return StartSession(c, 200, c.Field("next").empty() ? "/-/spaces" : c.Field("next"));
}

http::Response AccountPages::SignOut(Context& c) {
  if (!c.session_cookie.empty()) (void)store_.RevokeSession(c.session_cookie, c.now);
  c.account.reset();
  c.set_cookies.clear();
  c.set_cookies.push_back(SetCookie(kSessionCookie, "", options_.domain, 0));
  if (c.json) return c.Json(200, format::JsonValue::MakeObject());
  http::Response redirect = http::Response::Redirect("/-/signin", 303);
  for (const std::string& cookie : c.set_cookies) redirect.AddHeader("Set-Cookie", cookie);
  return redirect;
}

}  // namespace almanac::cloud
