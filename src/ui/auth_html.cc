#include "ui/auth_html.h"

#include <ctime>

#include "core/url.h"
#include "format/json_writer.h"
#include "ui/html.h"

namespace almanac::ui {

std::string PrettyJson(const format::JsonValue& value) {
  std::string out;
  format::JsonWriter writer(out, {.compact = false, .ensure_ascii = false});
  format::WriteJson(value, writer);
  return out;
}

namespace {

std::string ActionOptions(bool with_blank) {
  std::string html = with_blank ? "<option value=\"\">--</option>" : "";
  for (const auth::ActionInfo& info : auth::AllActions()) {
    std::string name(info.name);
    html += "<option value=\"" + Escape(name) + "\">" + Escape(name) + "</option>";
  }
  return html;
}

std::string Checkbox(const std::string& name, const std::string& label) {
  return "<label><input type=\"checkbox\" name=\"" + Escape(name) + "\"> " + Escape(label) +
         "</label> ";
}

}  // namespace

std::string RestrictionBoxes(const std::vector<api::ViewableDatabase>& databases) {
  std::string html =
      "<details><summary>Restrict actions that can be performed using this "
      "token</summary>\n<h3>All databases and tables</h3>\n<p>";
  for (const auth::ActionInfo& info : auth::AllActions()) {
    html += Checkbox("all:" + std::string(info.name), std::string(info.name));
  }
  html += "</p>\n";
  for (const api::ViewableDatabase& db : databases) {
    html += "<h3>Database: " + Escape(db.name) + "</h3>\n<p>";
    for (const auth::ActionInfo& info : auth::AllActions()) {
      if (info.level == auth::ResourceLevel::kInstance) continue;
      html += Checkbox("database:" + TildeEncode(db.name) + ":" + std::string(info.name),
                       std::string(info.name));
    }
    html += "</p>\n";
    for (const std::string& table : db.tables) {
      html += "<h4>Table: " + Escape(db.name) + "/" + Escape(table) + "</h4>\n<p>";
      for (const auth::ActionInfo& info : auth::AllActions()) {
        if (info.level != auth::ResourceLevel::kTable &&
            info.level != auth::ResourceLevel::kQuery) {
          continue;
        }
        html += Checkbox("resource:" + TildeEncode(db.name) + ":" + TildeEncode(table) + ":" +
                             std::string(info.name),
                         std::string(info.name));
      }
      html += "</p>\n";
    }
  }
  return html + "</details>\n";
}

HtmlPage RenderPermissionsDebug(const std::vector<auth::PermissionCheck>& checks,
                                const std::string& filter) {
  std::string body =
      "<h1>Permission check</h1>\n<form action=\"permissions\" method=\"post\" "
      "id=\"debug-post\">\n<p><label>Actor<br><textarea name=\"actor\" rows=\"4\" cols=\"60\">"
      "{\"id\": \"root\"}</textarea></label></p>\n<p><label>Action <select name=\"permission\">" +
      ActionOptions(false) +
      "</select></label>\n<input type=\"text\" name=\"resource_1\" placeholder=\"Parent "
      "(database)\">\n<input type=\"text\" name=\"resource_2\" placeholder=\"Child (table or "
      "query)\">\n<input type=\"submit\" value=\"Check\"></p>\n</form>\n";
  body += "<h2>Recent permission checks</h2>\n<p>Filter: ";
  for (const char* f : {"all", "exclude-yours", "only-yours"}) {
    body += f == filter ? std::string("<strong>") + f + "</strong> "
                        : std::string("<a href=\"?filter=") + f + "\">" + f + "</a> ";
  }
  body +=
      "</p>\n<table>\n<tr><th>When</th><th>Action</th><th>Resource</th><th>Actor</th>"
      "<th>Result</th></tr>\n";
  for (const auth::PermissionCheck& check : checks) {
    std::time_t seconds = static_cast<std::time_t>(check.when_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string resource = check.resource.database.empty() ? "/" : "/" + check.resource.database;
    if (!check.resource.child.empty()) resource += "/" + check.resource.child;
    body += "<tr><td>" + std::string(when) + "</td><td>" +
            Escape(std::string(auth::Info(check.action).name)) + "</td><td>" + Escape(resource) +
            "</td><td><code>" +
            Escape(check.actor ? format::ToJsonText(check.actor->data) : "null") +
            "</code></td><td>" + (check.result ? "allowed" : "denied") + "</td></tr>\n";
  }
  body += "</table>\n";
  return {"Permission activity", body};
}

HtmlPage RenderPermissionForm(const std::string& page, const std::string& actor_json) {
  std::string body = "<h1>" +
                     Escape(page == "check"     ? "Permission check"
                            : page == "allowed" ? "Allowed resources"
                                                : "Permission rules") +
                     "</h1>\n<form action=\"" + Escape(page) + ".json\" method=\"get\">\n";
  body += "<p><label>Action <select name=\"action\">" + ActionOptions(false) + "</select></label>";
  if (page != "rules") {
    body +=
        "\n<input type=\"text\" name=\"parent\" placeholder=\"Parent (database)\">"
        "\n<input type=\"text\" name=\"child\" placeholder=\"Child (table or query)\">";
  }
  if (page == "check") {
    body += "</p>\n<p><label>Actor JSON<br><textarea name=\"actor\" rows=\"4\" cols=\"60\">" +
            Escape(actor_json) + "</textarea></label>";
  }
  body += "\n<input type=\"submit\" value=\"Submit\"></p>\n</form>\n";
  return {page == "check"     ? "Permission check"
          : page == "allowed" ? "Allowed resources"
                              : "Permission rules",
          body};
}

std::string RenderCsrfError(const std::string& reason) {
  return RenderPage("Cross-origin request blocked",
                    "<h1>Cross-origin request blocked</h1>\n<p>This request was blocked because "
                    "it appeared to come from a different website.</p>\n<p class=\"error\">" +
                        Escape(reason) + "</p>\n");
}

}  // namespace almanac::ui
