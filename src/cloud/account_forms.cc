// AccountPages: the pages and JSON of spaces, members, invitations, tokens and the audit log
// (account_pages.cc has the request handling, sign-up, sign-in and sign-out).
#include <ctime>

#include "cloud/account_pages.h"
#include "core/url.h"

namespace almanac::cloud {
namespace {

using control::Role;

std::string When(std::optional<int64_t> at, std::string_view none = "never") {
  if (!at) return std::string(none);
  std::time_t t = static_cast<std::time_t>(*at);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

std::string RoleOptions(Role selected, bool with_admin) {
  std::string html;
  for (Role role : {Role::kViewer, Role::kMember, Role::kAdmin}) {
    if (role == Role::kAdmin && !with_admin) continue;
    std::string name(RoleName(role));
    html += "<option value=\"" + name + "\"" + (role == selected ? " selected" : "") + ">" + name +
            "</option>";
  }
  return html;
}

format::JsonValue Str(std::string text) { return format::JsonValue::String(std::move(text)); }

format::JsonValue MaybeTime(std::optional<int64_t> at) {
  return at ? format::JsonValue::Int(*at) : format::JsonValue();
}

// Splits "insert-row, view-table" into action names.
std::vector<std::string> ActionList(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char ch : std::string(text) + ",") {
    if (ch == ',' || ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += ch;
    }
  }
  return out;
}

}  // namespace

std::string AccountPages::SpaceUrl(const Context& c, const std::string& space) const {
  if (options_.domain.empty()) return "/" + space + "/";
  return "//" + space + "." + c.host + "/";
}

std::optional<http::Response> AccountPages::Gate(Context& c, const std::string& space, Role least,
                                                 Role* role) {
  if (!c.account) return NeedSignIn(c);
  std::optional<Role> found = store_.RoleIn(space, c.account->id);
  if (!found) return Fail(c, 404, "Space not found");
  if (*found < least) {
    return Fail(c, 403, "This needs the " + std::string(RoleName(least)) + " role in " + space);
  }
  if (role) *role = *found;
  return std::nullopt;
}

// --- sign-up and sign-in forms ---

http::Response AccountPages::SignUpForm(Context& c, int status, std::string message) {
  if (c.json) return Fail(c, status == 200 ? 405 : status, message.empty() ? "Use POST" : message);
  std::string invitation =
      c.form.count("invitation") ? c.Field("invitation") : c.Query("invitation");
  std::string content =
      "<h1>Sign up</h1>\n<form method=\"post\" action=\"/-/signup\" class=\"account-form\">" +
      CsrfField(c) + "<input type=\"hidden\" name=\"invitation\" value=\"" + Escape(invitation) +
      "\">"
      "<p><label>Account name<br><input type=\"text\" name=\"name\" required "
      "autocomplete=\"username\" pattern=\"[a-z0-9_-]{1,40}\" value=\"" +
      Escape(c.Field("name")) +
      "\"></label></p>"
      "<p><label>Email (optional)<br><input type=\"text\" name=\"email\" value=\"" +
      Escape(c.Field("email")) +
      "\"></label></p>"
      "<p><label>Password (8 characters at least)<br><input type=\"password\" name=\"password\" "
      "required minlength=\"8\" autocomplete=\"new-password\"></label></p>"
      "<p><button type=\"submit\" class=\"primary\">Sign up</button></p></form>\n"
      "<p>Already have an account? <a href=\"/-/signin\">Sign in</a>.</p>\n";
  if (options_.signup == SignupMode::kInvite && invitation.empty()) {
    content += "<p class=\"message-info\">Sign-up on this server needs an invitation link.</p>";
  }
  return Render(c, status, "Sign up", {{"/-/signup", "Sign up"}}, content, std::move(message));
}

http::Response AccountPages::SignInForm(Context& c, int status, std::string message) {
  if (c.json) return Fail(c, status == 200 ? 405 : status, message.empty() ? "Use POST" : message);
  std::string next = c.form.count("next") ? c.Field("next") : c.Query("next");
  std::string content =
      "<h1>Sign in</h1>\n<form method=\"post\" action=\"/-/signin\" class=\"account-form\">" +
      CsrfField(c) + "<input type=\"hidden\" name=\"next\" value=\"" + Escape(next) +
      "\">"
      "<p><label>Account name<br><input type=\"text\" name=\"name\" required "
      "autocomplete=\"username\" value=\"" +
      Escape(c.Field("name")) +
      "\"></label></p>"
      "<p><label>Password<br><input type=\"password\" name=\"password\" required "
      "autocomplete=\"current-password\"></label></p>"
      "<p><button type=\"submit\" class=\"primary\">Sign in</button></p></form>\n"
      "<p>No account yet? <a href=\"/-/signup\">Sign up</a>.</p>\n";
  return Render(c, status, "Sign in", {{"/-/signin", "Sign in"}}, content, std::move(message));
}

// --- spaces ---

http::Response AccountPages::SpacesPage(Context& c) {
  if (!c.account) return NeedSignIn(c);
  auto spaces = store_.SpacesOf(c.account->id);
  if (c.json) {
    format::JsonValue list = format::JsonValue::MakeArray();
    for (const auto& [space, role] : spaces) {
      format::JsonValue item = format::JsonValue::MakeObject();
      item.Set("name", Str(space.name));
      item.Set("display_name", Str(space.display_name));
      item.Set("role", Str(std::string(RoleName(role))));
      item.Set("owner", Str(space.owner_name));
      item.Set("url", Str(SpaceUrl(c, space.name)));
      list.as_array().push_back(std::move(item));
    }
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("spaces", std::move(list));
    return c.Json(200, std::move(out));
  }
  std::string html = "<h1>My spaces</h1>\n";
  if (spaces.empty()) {
    html +=
        "<p>You are not a member of any space yet: create one below, or ask for an "
        "invitation.</p>\n";
  } else {
    html +=
        "<table class=\"rows-and-columns\"><thead><tr><th>Space</th><th>Your role</th>"
        "<th>Owner</th><th></th></tr></thead><tbody>\n";
    for (const auto& [space, role] : spaces) {
      std::string base = "/-/spaces/" + space.name;
      html +=
          "<tr><td><a href=\"" + Escape(SpaceUrl(c, space.name)) + "\">" +
          Escape(space.display_name) + "</a> <code>" + Escape(space.name) + "</code></td><td>" +
          std::string(RoleName(role)) + "</td><td>" + Escape(space.owner_name) +
          "</td><td><a href=\"" + Escape(base) + "/members\">members</a> &middot; <a href=\"" +
          Escape(base) + "/tokens\">tokens</a>" +
          (role >= Role::kAdmin ? " &middot; <a href=\"" + Escape(base) + "/audit\">audit log</a>"
                                : std::string()) +
          "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  html += "<h2>Create a space</h2>\n<form method=\"post\" action=\"/-/spaces\">" + CsrfField(c) +
          "<p><label>Name (lower-case letters, digits and -; part of its address)<br>"
          "<input type=\"text\" name=\"name\" required pattern=\"[a-z0-9-]{1,63}\"></label></p>"
          "<p><label>Display name<br><input type=\"text\" name=\"display_name\"></label></p>"
          "<p><button type=\"submit\" class=\"primary\">Create space</button></p></form>\n";
  return Render(c, 200, "My spaces", {}, html);
}

http::Response AccountPages::CreateSpace(Context& c) {
  if (!c.account) return NeedSignIn(c);
  std::string name = c.Field("name");
  std::string display_name = c.Field("display_name");
  if (Status valid = ValidateSpaceName(name); !valid.ok()) return Fail(c, 400, valid.message());
  if (spaces_.Exists(name) || store_.FindSpace(name)) {
    return Fail(c, 409, "A space named " + name + " already exists");
  }
  // The space's admin token (for the command line) is not shown: its owner signs in instead.
  if (Result<std::string> made = spaces_.Create(name); !made.ok()) {
    return Fail(c, 400, made.status().message());
  }
  if (Status added = store_.AddSpace(name, display_name, c.account->id, c.now); !added.ok()) {
    (void)spaces_.Delete(name);
    return Fail(c, 409, added.message());
  }
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("display_name", Str(display_name.empty() ? name : display_name));
  Audit(c, name, "space-create", details);
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("space", Str(name));
    out.Set("url", Str(SpaceUrl(c, name)));
    return c.Json(201, std::move(out));
  }
  return http::Response::Redirect("/-/spaces/" + name + "/members", 303);
}

http::Response AccountPages::DeleteSpace(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, Role::kOwner, nullptr)) return std::move(*refused);
  if (c.Field("confirm") != space) {
    return Fail(c, 400, "Type the space's name to confirm deleting it");
  }
  // Its worker is stopped first (and none started while the files go).
  if (options_.suspend_space) options_.suspend_space(space);
  Status deleted = spaces_.Delete(space);
  if (deleted.ok()) (void)store_.RemoveSpace(space);
  if (options_.resume_space) options_.resume_space(space);
  if (!deleted.ok()) return Fail(c, 500, deleted.message());
  Audit(c, space, "space-delete", format::JsonValue::MakeObject());
  if (c.json) return c.Json(200, format::JsonValue::MakeObject());
  return http::Response::Redirect("/-/spaces", 303);
}

http::Response AccountPages::RenameSpace(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, control::Role::kOwner, nullptr)) return std::move(*refused);
  std::string name = c.Field("name");
  if (Status valid = ValidateSpaceName(name); !valid.ok()) return Fail(c, 400, valid.message());
  if (name == space) return Fail(c, 400, "The space is already called " + name);
  if (spaces_.Exists(name) || store_.FindSpace(name)) {
    return Fail(c, 409, "A space named " + name + " already exists");
  }
  // Its worker serves it under its name (base_url): stopped first, and none started while
  // the files move; the next request to the new name starts one.
  if (options_.suspend_space) options_.suspend_space(space);
  Status renamed = spaces_.Rename(space, name);
  if (renamed.ok()) {
    renamed = store_.RenameSpace(space, name);
    if (!renamed.ok()) (void)spaces_.Rename(name, space);  // put the files back
  }
  if (options_.resume_space) options_.resume_space(space);
  if (!renamed.ok()) {
    return Fail(c, renamed.code() == ErrorCode::kConflict ? 409 : 500, renamed.message());
  }
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("from", Str(space));
  details.Set("to", Str(name));
  Audit(c, name, "space-rename", details);
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("space", Str(name));
    out.Set("url", Str(SpaceUrl(c, name)));
    return c.Json(200, std::move(out));
  }
  return http::Response::Redirect("/-/spaces/" + name + "/members", 303);
}

// --- members and invitations ---

http::Response AccountPages::MembersPage(Context& c, const std::string& space) {
  Role mine = Role::kViewer;
  if (auto refused = Gate(c, space, Role::kViewer, &mine)) return std::move(*refused);
  std::vector<control::Member> members = store_.Members(space);
  if (c.json) {
    format::JsonValue list = format::JsonValue::MakeArray();
    for (const control::Member& member : members) {
      format::JsonValue item = format::JsonValue::MakeObject();
      item.Set("account", Str(member.account.name));
      item.Set("role", Str(std::string(RoleName(member.role))));
      list.as_array().push_back(std::move(item));
    }
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("space", Str(space));
    out.Set("members", std::move(list));
    return c.Json(200, std::move(out));
  }
  bool admin = mine >= Role::kAdmin;
  std::string base = "/-/spaces/" + space;
  std::string html =
      "<h1>Members of " + Escape(space) + "</h1>\n<p><a href=\"" + Escape(SpaceUrl(c, space)) +
      "\">Open the space</a> &middot; <a href=\"" + Escape(base) + "/tokens\">API tokens</a>" +
      " &middot; <a href=\"" + Escape(base) + "/public\">public tables</a>" +
      " &middot; <a href=\"" + Escape(base) + "/queries\">canned queries</a>" +
      (admin ? " &middot; <a href=\"" + Escape(base) + "/audit\">audit log</a>" : std::string()) +
      "</p>\n<table class=\"rows-and-columns\"><thead><tr><th>Account</th>"
      "<th>Role</th>" +
      (admin ? "<th>Change</th>" : "") + "</tr></thead><tbody>\n";
  for (const control::Member& member : members) {
    html += "<tr><td>" + Escape(member.account.name) + "</td><td>" +
            std::string(RoleName(member.role)) + "</td>";
    if (admin) {
      html += "<td>";
      if (member.role != Role::kOwner) {
        std::string action = Escape(base + "/members/" + member.account.name);
        html += "<form method=\"post\" action=\"" + action + "\" class=\"inline\">" + CsrfField(c) +
                "<select name=\"role\" aria-label=\"Role of " + Escape(member.account.name) +
                "\">" + RoleOptions(member.role, true) +
                "</select> <button type=\"submit\">Change role</button></form> "
                "<form method=\"post\" action=\"" +
                action + "\" class=\"inline\">" + CsrfField(c) +
                "<input type=\"hidden\" name=\"remove\" value=\"1\"><button type=\"submit\" "
                "class=\"danger\">Remove</button></form>";
      }
      html += "</td>";
    }
    html += "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (admin) {
    html +=
        "<h2>Invite someone</h2>\n<p>Makes a link that one person can use, once, within "
        "seven days, to join this space.</p>\n<form method=\"post\" action=\"" +
        Escape(base) + "/invitations\">" + CsrfField(c) + "<label>Role <select name=\"role\">" +
        RoleOptions(Role::kViewer, true) +
        "</select></label> <button type=\"submit\" class=\"primary\">Make an invitation "
        "link</button></form>\n";
  }
  if (mine == Role::kOwner && members.size() > 1) {
    html +=
        "<h2>Hand the space over</h2>\n<p>Makes another member the owner; you stay on as an "
        "admin.</p>\n<form method=\"post\" action=\"" +
        Escape(base) + "/transfer\">" + CsrfField(c) + "<label>New owner <select name=\"account\">";
    for (const control::Member& member : members) {
      if (member.role == Role::kOwner) continue;
      html += "<option>" + Escape(member.account.name) + "</option>";
    }
    html += "</select></label> <button type=\"submit\">Transfer ownership</button></form>\n";
  }
  if (mine == Role::kOwner) {
    html +=
        "<h2>Rename this space</h2>\n<p>Its address changes: links to the old one stop "
        "working.</p>\n<form method=\"post\" action=\"" +
        Escape(base) + "/rename\">" + CsrfField(c) +
        "<p><label>New name (lower-case letters, digits and -)<br><input type=\"text\" "
        "name=\"name\" required pattern=\"[a-z0-9-]{1,63}\"></label></p><p><button "
        "type=\"submit\">Rename</button></p></form>\n";
    html += "<h2>Delete this space</h2>\n<form method=\"post\" action=\"" + Escape(base) +
            "/delete\">" + CsrfField(c) +
            "<p><label>Type the space's name to confirm<br><input type=\"text\" "
            "name=\"confirm\"></label></p><p><button type=\"submit\" class=\"danger\">Delete "
            "the space and all its databases</button></p></form>\n";
  }
  return Render(c, 200, "Members of " + space, {{base + "/members", space}}, html);
}

http::Response AccountPages::Invite(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, Role::kAdmin, nullptr)) return std::move(*refused);
  std::optional<Role> role = control::RoleByName(c.Field("role"));
  if (!role || *role == Role::kOwner) return Fail(c, 400, "role: viewer, member or admin");
  int64_t expires_at = c.now + options_.invitation_seconds;
  Result<std::string> code =
      store_.CreateInvitation(space, *role, c.account->id, expires_at, c.now);
  if (!code.ok()) return Fail(c, 400, code.status().message());
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("role", Str(std::string(RoleName(*role))));
  details.Set("expires_at", format::JsonValue::Int(expires_at));
  Audit(c, space, "invite", details);
  std::string link = "http://" + c.host + "/-/invite/" + *code;
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("link", Str(link));
    out.Set("code", Str(*code));
    out.Set("role", Str(std::string(RoleName(*role))));
    out.Set("expires_at", format::JsonValue::Int(expires_at));
    return c.Json(201, std::move(out));
  }
  std::string html =
      "<h1>Invitation link</h1>\n<p>Send this link to the person you invite. It "
      "makes them a <strong>" +
      std::string(RoleName(*role)) + "</strong> of " + Escape(space) +
      ", works once, and expires on " + When(expires_at) +
      ".</p>\n<p><input class=\"token\" type=\"text\" readonly value=\"" + Escape(link) +
      "\" aria-label=\"Invitation link\"></p>\n<p><a href=\"/-/spaces/" + Escape(space) +
      "/members\">Back to the members</a></p>\n";
  return Render(c, 201, "Invitation link", {{"/-/spaces/" + space + "/members", space}}, html);
}

http::Response AccountPages::ChangeMember(Context& c, const std::string& space,
                                          const std::string& account_name) {
  Role mine = Role::kViewer;
  if (auto refused = Gate(c, space, Role::kAdmin, &mine)) return std::move(*refused);
  std::optional<control::Account> account = store_.FindAccount(account_name);
  std::optional<Role> current = account ? store_.RoleIn(space, account->id) : std::nullopt;
  if (!current) return Fail(c, 404, "No member named " + account_name);
  if (*current == Role::kOwner) {
    return Fail(c, 403, "The owner's role cannot be changed, nor the owner removed");
  }
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("account", Str(account_name));
  details.Set("from", Str(std::string(RoleName(*current))));
  if (c.Field("role") == "owner") {
    // The owner hands the space over; they stay on as an admin.
    if (mine != Role::kOwner) return Fail(c, 403, "Only the owner can hand the space over");
    if (Status moved = store_.TransferOwnership(space, c.account->id, account->id, c.now);
        !moved.ok()) {
      return Fail(c, 400, moved.message());
    }
    details.Set("to", Str("owner"));
    details.Set("previous_owner", Str(c.account->name));
    Audit(c, space, "owner-transfer", details);
    if (c.json) return c.Json(200, std::move(details));
    return http::Response::Redirect("/-/spaces/" + space + "/members", 303);
  }
  if (c.Field("remove") == "1") {
    if (Status removed = store_.RemoveMember(space, account->id); !removed.ok()) {
      return Fail(c, 400, removed.message());
    }
    Audit(c, space, "member-remove", details);
  } else {
    std::optional<Role> role = control::RoleByName(c.Field("role"));
    if (!role || *role == Role::kOwner) return Fail(c, 400, "role: viewer, member or admin");
    if (Status set = store_.SetRole(space, account->id, *role, c.now); !set.ok()) {
      return Fail(c, 400, set.message());
    }
    details.Set("to", Str(std::string(RoleName(*role))));
    Audit(c, space, "role-change", details);
  }
  if (c.json) return c.Json(200, std::move(details));
  return http::Response::Redirect("/-/spaces/" + space + "/members", 303);
}

http::Response AccountPages::InvitationPage(Context& c, const std::string& code) {
  Result<control::Invitation> invitation = store_.FindInvitation(code, c.now);
  if (!invitation.ok()) return Fail(c, 404, invitation.status().message());
  std::string role(RoleName(invitation->role));
  if (c.method == "POST") {
    if (!c.account) return NeedSignIn(c);
    Result<control::Invitation> accepted = store_.AcceptInvitation(code, c.account->id, c.now);
    if (!accepted.ok()) return Fail(c, 404, accepted.status().message());
    format::JsonValue details = format::JsonValue::MakeObject();
    details.Set("role", Str(role));
    Audit(c, accepted->space, "invitation-accept", details);
    if (c.json) {
      format::JsonValue out = format::JsonValue::MakeObject();
      out.Set("space", Str(accepted->space));
      out.Set("role", Str(std::string(RoleName(*store_.RoleIn(accepted->space, c.account->id)))));
      return c.Json(200, std::move(out));
    }
    return http::Response::Redirect("/-/spaces", 303);
  }
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("space", Str(invitation->space));
    out.Set("role", Str(role));
    out.Set("expires_at", format::JsonValue::Int(invitation->expires_at));
    return c.Json(200, std::move(out));
  }
  std::string here = "/-/invite/" + code;
  std::string html = "<h1>Join " + Escape(invitation->space) +
                     "</h1>\n<p>You are invited to "
                     "join the space <strong>" +
                     Escape(invitation->space) + "</strong> as a <strong>" + role +
                     "</strong>.</p>\n";
  if (c.account) {
    html += "<form method=\"post\" action=\"" + Escape(here) + "\">" + CsrfField(c) +
            "<button type=\"submit\" class=\"primary\">Join as " + Escape(c.account->name) +
            "</button></form>\n";
  } else {
    html +=
        "<p><a class=\"button primary\" href=\"/-/signup?invitation=" + Escape(QuotePlus(code)) +
        "\">Sign up and join</a> or <a href=\"/-/signin?next=" + Escape(QuotePlus(here)) +
        "\">sign in</a> to an account you have.</p>\n";
  }
  return Render(c, 200, "Join " + invitation->space, {}, html);
}

// --- API tokens ---

http::Response AccountPages::TokensPage(Context& c, const std::string& space) {
  Role mine = Role::kViewer;
  if (auto refused = Gate(c, space, Role::kViewer, &mine)) return std::move(*refused);
  std::vector<control::TokenRecord> tokens = store_.Tokens(space);
  // Admins see every token of the space; others their own.
  std::erase_if(tokens, [&](const control::TokenRecord& token) {
    return mine < Role::kAdmin && token.account_id != c.account->id;
  });
  if (c.json) {
    format::JsonValue list = format::JsonValue::MakeArray();
    for (const control::TokenRecord& token : tokens) {
      format::JsonValue item = format::JsonValue::MakeObject();
      item.Set("id", format::JsonValue::Int(token.id));
      item.Set("name", Str(token.name));
      item.Set("account", Str(token.account_name));
      item.Set("created_at", format::JsonValue::Int(token.created_at));
      item.Set("expires_at", MaybeTime(token.expires_at));
      item.Set("last_used_at", MaybeTime(token.last_used_at));
      item.Set("revoked_at", MaybeTime(token.revoked_at));
      if (!token.restrictions.empty()) {
        if (auto r = format::ParseJson(token.restrictions); r.ok()) item.Set("restrictions", *r);
      }
      list.as_array().push_back(std::move(item));
    }
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("tokens", std::move(list));
    return c.Json(200, std::move(out));
  }
  std::string base = "/-/spaces/" + space;
  std::string html = "<h1>API tokens of " + Escape(space) +
                     "</h1>\n<p>A token acts as its "
                     "account, with the account's role in this space (narrowed by the token's "
                     "restrictions): send it as <code>Authorization: Bearer almt_...</code>.</p>\n";
  if (tokens.empty()) {
    html += "<p>No tokens yet.</p>\n";
  } else {
    html +=
        "<table class=\"rows-and-columns\"><thead><tr><th>Name</th><th>Account</th>"
        "<th>Created</th><th>Expires</th><th>Last used</th><th>Restrictions</th><th></th>"
        "</tr></thead><tbody>\n";
    for (const control::TokenRecord& token : tokens) {
      html += "<tr><td>" +
              Escape(token.name.empty() ? "#" + std::to_string(token.id) : token.name) +
              "</td><td>" + Escape(token.account_name) + "</td><td>" + When(token.created_at) +
              "</td><td>" + When(token.expires_at) + "</td><td>" + When(token.last_used_at) +
              "</td><td><code>" + Escape(token.restrictions.empty() ? "none" : token.restrictions) +
              "</code></td><td>";
      if (token.revoked_at) {
        html += "revoked " + When(token.revoked_at);
      } else {
        html += "<form method=\"post\" action=\"" + Escape(base) + "/tokens/" +
                std::to_string(token.id) + "/revoke\" class=\"inline\">" + CsrfField(c) +
                "<button type=\"submit\" class=\"danger\">Revoke</button></form>";
      }
      html += "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  html += "<h2>Create a token</h2>\n<form method=\"post\" action=\"" + Escape(base) + "/tokens\">" +
          CsrfField(c) +
          "<p><label>Name<br><input type=\"text\" name=\"name\"></label></p>"
          "<p><label>Expires after (days; 0: never)<br><input type=\"text\" name=\"expires_days\" "
          "value=\"30\" inputmode=\"numeric\"></label></p>"
          "<p>Restrict it (optional): only these actions (e.g. <code>view-table, insert-row</code>)"
          ", on this database, or this table of it.</p>"
          "<p><label>Actions<br><input type=\"text\" name=\"actions\"></label></p>"
          "<p><label>Database<br><input type=\"text\" name=\"database\"></label></p>"
          "<p><label>Table<br><input type=\"text\" name=\"table\"></label></p>"
          "<p><button type=\"submit\" class=\"primary\">Create token</button></p></form>\n";
  return Render(c, 200, "API tokens of " + space, {{base + "/members", space}}, html);
}

http::Response AccountPages::CreateToken(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, Role::kViewer, nullptr)) return std::move(*refused);
  std::optional<int64_t> expires_at;
  std::string restrictions;
  if (c.json) {
    if (const format::JsonValue* after = c.body.Find("expires_after"); after && !after->is_null()) {
      if (!after->is_int() || after->as_int() <= 0) {
        return Fail(c, 400, "expires_after: a positive number of seconds");
      }
      expires_at = c.now + after->as_int();
    }
    if (const format::JsonValue* r = c.body.Find("restrictions"); r && !r->is_null()) {
      if (!r->is_object()) return Fail(c, 400, "restrictions: an object like {\"a\": [...]}");
      for (const auto& [key, value] : r->as_object()) {
        if (key != "a" && key != "d" && key != "r") {
          return Fail(c, 400, "restrictions: only \"a\", \"d\" and \"r\" members");
        }
        (void)value;
      }
      restrictions = format::ToJsonText(*r);
    }
  } else {
    std::string days = c.Field("expires_days");
    int64_t count = days.empty() ? 0 : std::atoll(days.c_str());
    if (count < 0 || count > 3650) return Fail(c, 400, "Expires after: 0 to 3650 days");
    if (count > 0) expires_at = c.now + count * 86400;
    std::vector<std::string> actions = ActionList(c.Field("actions"));
    std::string database = c.Field("database");
    std::string table = c.Field("table");
    if (!actions.empty()) {
      format::JsonValue list = format::JsonValue::MakeArray();
      for (const std::string& action : actions) list.as_array().push_back(Str(action));
      format::JsonValue r = format::JsonValue::MakeObject();
      if (!database.empty() && !table.empty()) {
        format::JsonValue tables = format::JsonValue::MakeObject();
        tables.Set(table, std::move(list));
        format::JsonValue databases = format::JsonValue::MakeObject();
        databases.Set(database, std::move(tables));
        r.Set("r", std::move(databases));
      } else if (!database.empty()) {
        format::JsonValue databases = format::JsonValue::MakeObject();
        databases.Set(database, std::move(list));
        r.Set("d", std::move(databases));
      } else {
        r.Set("a", std::move(list));
      }
      restrictions = format::ToJsonText(r);
    }
  }
  Result<control::ControlStore::NewToken> token =
      store_.CreateToken(space, c.account->id, c.Field("name"), restrictions, expires_at, c.now);
  if (!token.ok()) return Fail(c, 400, token.status().message());
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("token_id", format::JsonValue::Int(token->record.id));
  details.Set("name", Str(token->record.name));
  details.Set("expires_at", MaybeTime(expires_at));
  if (!restrictions.empty()) details.Set("restrictions", Str(restrictions));
  Audit(c, space, "token-create", details);
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("token", Str(token->secret));
    out.Set("id", format::JsonValue::Int(token->record.id));
    out.Set("expires_at", MaybeTime(expires_at));
    return c.Json(201, std::move(out));
  }
  std::string html =
      "<h1>Your new token</h1>\n<p class=\"message-warning\">Copy it now: it is "
      "shown only this once (only its hash is kept).</p>\n<p><input class=\"token\" "
      "type=\"text\" readonly value=\"" +
      Escape(token->secret) + "\" aria-label=\"API token\"></p>\n<p>Expires: " + When(expires_at) +
      ". <a href=\"/-/spaces/" + Escape(space) + "/tokens\">Back to the tokens</a></p>\n";
  return Render(c, 201, "Your new token", {{"/-/spaces/" + space + "/tokens", space}}, html);
}

http::Response AccountPages::RevokeToken(Context& c, const std::string& space, int64_t id) {
  Role mine = Role::kViewer;
  if (auto refused = Gate(c, space, Role::kViewer, &mine)) return std::move(*refused);
  std::vector<control::TokenRecord> tokens = store_.Tokens(space);
  auto found = std::find_if(tokens.begin(), tokens.end(),
                            [id](const control::TokenRecord& t) { return t.id == id; });
  if (found == tokens.end() || (mine < Role::kAdmin && found->account_id != c.account->id)) {
    return Fail(c, 404, "No such token");
  }
  Result<control::TokenRecord> revoked = store_.RevokeToken(space, id, c.now);
  if (!revoked.ok()) return Fail(c, 404, revoked.status().message());
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("token_id", format::JsonValue::Int(id));
  details.Set("account", Str(found->account_name));
  Audit(c, space, "token-revoke", details);
  if (c.json) return c.Json(200, std::move(details));
  return http::Response::Redirect("/-/spaces/" + space + "/tokens", 303);
}

// --- the audit log ---

http::Response AccountPages::AuditPage(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, Role::kAdmin, nullptr)) return std::move(*refused);
  std::vector<control::AuditEntry> entries = store_.AuditLog(space, 500);
  if (c.json) {
    format::JsonValue list = format::JsonValue::MakeArray();
    for (const control::AuditEntry& entry : entries) {
      format::JsonValue item = format::JsonValue::MakeObject();
      item.Set("id", format::JsonValue::Int(entry.id));
      item.Set("at", format::JsonValue::Int(entry.at));
      item.Set("actor", Str(entry.actor));
      item.Set("action", Str(entry.action));
      Result<format::JsonValue> details = format::ParseJson(entry.details);
      item.Set("details", details.ok() ? std::move(details).value() : Str(entry.details));
      list.as_array().push_back(std::move(item));
    }
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("entries", std::move(list));
    return c.Json(200, std::move(out));
  }
  std::string html = "<h1>Audit log of " + Escape(space) +
                     "</h1>\n<table class=\"rows-and-columns\"><thead><tr><th>When</th><th>Who</th>"
                     "<th>What</th><th>Details</th></tr></thead><tbody>\n";
  for (const control::AuditEntry& entry : entries) {
    html += "<tr><td>" + When(entry.at) + "</td><td>" + Escape(entry.actor) + "</td><td>" +
            Escape(entry.action) + "</td><td><code>" + Escape(entry.details) +
            "</code></td></tr>\n";
  }
  html += "</tbody></table>\n";
  return Render(c, 200, "Audit log of " + space, {{"/-/spaces/" + space + "/members", space}},
                html);
}

}  // namespace almanac::cloud
