// AccountPages: the front door's own pages over the control plane (control/store.h), under
// /-/ (a path no space can have). HTML forms that work without JavaScript, and the same
// operations as JSON under /-/api/ for scripts:
//
//   /-/signup, /-/signin, /-/signout           accounts and sessions
//   /-/spaces                                  my spaces; create one (the creator owns it)
//   /-/spaces/NAME/rename, /-/spaces/NAME/delete  the owner renames or deletes the space
//   /-/spaces/NAME/members                     members and roles; invitation links (admins)
//   /-/invite/CODE                             accept an invitation
//   /-/spaces/NAME/tokens                      API tokens: create (shown once), list, revoke
//   /-/spaces/NAME/audit                       the space's audit log (admins)
//   /-/spaces/NAME/public                      public tables: make one public or private (admins)
//   /-/spaces/NAME/queries                     the space's canned queries: save, delete (admins)
//   /-/api/...                                 the JSON equivalents (docs/cloud.md)
//
// Sessions: an HttpOnly, SameSite=Lax cookie (kSessionCookie) holding a signed random id,
// revoked in control.db on sign-out. CSRF: every form carries a token — the session's (an
// HMAC of the session id) when signed in, else a double-submit cookie (kCsrfCookie) — and
// every POST must pass the Origin / Sec-Fetch-Site check (auth/csrf.h); JSON requests must
// be sent as application/json (which a cross-site form cannot do). Sign-in is rate-limited
// per account name and per client address. Password hashing (argon2id, ~10-30 ms) runs on a
// small pool of its own, never on an I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/actor.h"
#include "auth/device_flow.h"
#include "cloud/layout.h"
#include "cloud/spaces.h"
#include "control/rate_limit.h"
#include "control/store.h"
#include "core/task_pool.h"
#include "format/json_value.h"
#include "http/message.h"

namespace almanac::cloud {

inline constexpr std::string_view kSessionCookie = "almanac_session";
inline constexpr std::string_view kCsrfCookie = "almanac_csrf";

enum class SignupMode { kOpen, kInvite };

struct AccountOptions {
  std::string domain;  // --domain: the session cookie is set for it and its subdomains
  SignupMode signup = SignupMode::kOpen;
  int signin_failures_per_account = 5;   // within signin_window
  int signin_failures_per_address = 20;  // within signin_window
  std::chrono::seconds signin_window{900};
  int64_t invitation_seconds = 7 * 24 * 3600;
  // The worker supervisor's Suspend and Resume (cloud/supervisor.h), around renaming and
  // deleting a space; unset: nothing to stop.
  std::function<void(const std::string& space)> suspend_space;
  std::function<void(const std::string& space)> resume_space;
};

// A table page's "make public / private" form, posted to SPACE/DB/TABLE/-/public.
struct PublicToggle {
  std::string database;
  std::string table;
  std::string table_page;  // the table page's path, where the answer sends the browser back
};

// One change to what a space makes public: a table, a canned query, or (neither named) a whole
// database, which may also allow read-only SQL.
struct PublicChange {
  std::string database;
  std::string table;
  std::string query;
  bool make_public = false;
  bool sql = false;
};

// The steps of a device login to a space (`dclient login`, `almanac client login`).
enum class DeviceStep { kStart, kVerify, kToken };

// Who is asking, as the front door resolved it for one space.
struct Caller {
  enum Kind { kNobody, kAdminToken, kMember, kRefused } kind = kNobody;
  auth::MaybeActor actor;   // kAdminToken: root; kMember: {"id", "role", "space", ...}
  bool by_session = false;  // kMember through the session cookie (needs the CSRF check)
  int status = 0;           // kRefused: 401 or 403
  std::string message;      // kRefused: why
};

// One request to the account pages, as parsed by AccountPages::Handle.
struct Context {
  std::string method;
  std::string path;   // after "/-/" or "/-/api/"
  bool json = false;  // a /-/api/ request: JSON in, JSON out
  std::string host;
  std::string remote_address;
  int64_t now = 0;
  std::optional<control::Account> account;  // signed in
  std::string session_cookie;
  std::string csrf;  // the token this visitor's forms carry
  std::vector<std::string> set_cookies;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> form;
  format::JsonValue body = format::JsonValue::MakeObject();

  // A form field, or a JSON member as text ("" when missing).
  std::string Field(const std::string& name) const;
  std::string Query(const std::string& name) const {
    auto found = query.find(name);
    return found == query.end() ? std::string() : found->second;
  }
  // A JSON answer {"ok": status < 400, ...value's members}, with the cookies to set.
  http::Response Json(int status, format::JsonValue value) const;
};

class AccountPages {
 public:
  AccountPages(control::ControlStore& store, const Spaces& spaces, AccountOptions options);
  ~AccountPages();

  // True for paths this handler answers (/-/...).
  static bool Owns(const http::Request& request);
  http::Response Handle(http::Request& request);

  // The caller of a request to `space`: the space's admin token, a member's API token or
  // session, or nobody (the front door then applies its rules for anonymous visitors).
  // `admin_token`: whether its Bearer token was already found to be the space's admin token
  // (Spaces::CheckToken), so that it is not checked twice.
  Caller Identify(const std::string& space, const http::Request& request, bool admin_token);
  // The request's Bearer token ("" when none).
  static std::string_view BearerToken(const http::Request& request);
  // Why an unsafe request carrying cookies looks cross-site (auth/csrf.h: Sec-Fetch-Site, or
  // Origin against Host), or nullopt when it may proceed.
  static std::optional<std::string> CrossSiteRejection(const http::Request& request);
  // The form on a table page of `space` (rendered by its worker for the space's admins):
  // writes the policy and the audit log, then sends the browser back to the table page.
  http::Response SetPublicFromTablePage(const std::string& space, const Caller& caller,
                                        const http::Request& request, const PublicToggle& toggle);
  // The OAuth device flow for `space` (RFC 8628, as web/oauth_routes.cc serves it for
  // `almanac serve`): a client starts a login, a signed-in member approves its code on the
  // verify page (`verify_path`), and the client's poll gets a stored API token ("almt_") of
  // that member in that space, narrowed to the scope it asked for. Answered by the front door,
  // so the token outlives any worker. Pending logins live in memory (a restart forgets them).
  http::Response DeviceLogin(const std::string& space, DeviceStep step,
                             const http::Request& request, const std::string& verify_path);
  // The Cookie header without the front door's own cookies (a worker never sees them).
  static std::optional<std::string> CookiesForWorker(const std::string& cookie_header);

 private:
  http::Response Route(Context& context);
  http::Response Deferred(std::shared_ptr<Context> context);

  // account_pages.cc
  http::Response SignUp(Context& c);
  http::Response SignIn(Context& c);
  http::Response SignOut(Context& c);
  http::Response SignUpForm(Context& c, int status, std::string message);
  http::Response SignInForm(Context& c, int status, std::string message);
  http::Response StartSession(Context& c, int status, const std::string& next);
  // account_forms.cc
  http::Response SpacesPage(Context& c);
  http::Response CreateSpace(Context& c);
  http::Response MembersPage(Context& c, const std::string& space);
  http::Response Invite(Context& c, const std::string& space);
  http::Response ChangeMember(Context& c, const std::string& space, const std::string& account);
  http::Response InvitationPage(Context& c, const std::string& code);
  http::Response TokensPage(Context& c, const std::string& space);
  http::Response CreateToken(Context& c, const std::string& space);
  http::Response RevokeToken(Context& c, const std::string& space, int64_t id);
  http::Response AuditPage(Context& c, const std::string& space);
  // account_public.cc: the space's public tables (cloud/space_policy.h), toggled by admins.
  http::Response PublicPage(Context& c, const std::string& space);
  http::Response SetPublic(Context& c, const std::string& space);
  // Writes one change to the space's policy (cloud/space_policy.h) and the audit log.
  Status WritePublic(const std::string& space, const PublicChange& change, const std::string& who,
                     int64_t now);
  // account_queries.cc: the space's own canned queries (kept in its policy), saved by admins.
  http::Response QueriesPage(Context& c, const std::string& space);
  http::Response SaveQuery(Context& c, const std::string& space);
  http::Response DeleteSpace(Context& c, const std::string& space);
  http::Response RenameSpace(Context& c, const std::string& space);

  // account_device.cc
  http::Response DeviceStart(const std::string& space, const http::Request& request,
                             const std::string& verify_path);
  http::Response DeviceToken(const std::string& space, const http::Request& request);
  http::Response DeviceVerify(const std::string& space, const http::Request& request,
                              const std::string& verify_path);
  auth::DeviceFlow& DeviceFlowOf(const std::string& space);
  // The visitor of a request: its session's account and CSRF token (or a new double-submit
  // token, with the cookie to set).
  void LoadVisitor(Context& c, const http::Request& request);

  // Helpers shared by both files.
  http::Response Render(Context& c, int status, std::string title, std::vector<Crumb> crumbs,
                        std::string content, std::string message = "",
                        std::string message_class = "error");
  http::Response Fail(Context& c, int status, std::string message);
  http::Response NeedSignIn(Context& c);
  // nullopt (and the caller's role in *role) when the signed-in caller has at least `least`
  // in `space`; else the answer to give: sign in first, 404 (no such space, or not a member:
  // the same answer, so names cannot be probed), or 403.
  std::optional<http::Response> Gate(Context& c, const std::string& space, control::Role least,
                                     control::Role* role);
  std::string SpaceUrl(const Context& c, const std::string& space) const;
  std::string CsrfField(Context& c);
  void Audit(Context& c, const std::string& space, std::string_view action,
             const format::JsonValue& details);

  control::ControlStore& store_;
  const Spaces& spaces_;
  AccountOptions options_;
  control::FailureLimiter account_failures_;
  control::FailureLimiter address_failures_;
  std::mutex device_mutex_;
  std::map<std::string, std::unique_ptr<auth::DeviceFlow>> device_flows_;  // by space
  TaskPool slow_;  // password hashing and control.db writes
};

}  // namespace almanac::cloud
