// AccountPages: a space's public tables. The front door writes the space's policy file
// (cloud/space_policy.h), which its worker reloads within 0.1 s; anonymous visitors then see
// those tables and nothing else of the space. Admins toggle; every toggle is audit-logged.
#include "cloud/account_pages.h"
#include "cloud/space_policy.h"
#include "cloud/space_tables.h"

namespace almanac::cloud {
namespace {

// A database is a file name without ".db"; a table any name without control characters.
bool Nameable(std::string_view name, bool database) {
  if (name.empty() || name.size() > 255) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
    if (database && (ch == '/' || ch == '\\' || ch == '.')) return false;
  }
  return true;
}

}  // namespace

http::Response AccountPages::PublicPage(Context& c, const std::string& space) {
  control::Role mine = control::Role::kViewer;
  if (auto refused = Gate(c, space, control::Role::kViewer, &mine)) return std::move(*refused);
  Result<SpacePolicy> policy = ReadSpacePolicy(spaces_.dir().PolicyDir(space));
  if (!policy.ok()) return Fail(c, 500, policy.status().message());
  if (c.json) {
    format::JsonValue list = format::JsonValue::MakeArray();
    for (const auto& [database, table] : policy->public_tables) {
      format::JsonValue item = format::JsonValue::MakeObject();
      item.Set("database", format::JsonValue::String(database));
      item.Set("table", format::JsonValue::String(table));
      list.as_array().push_back(std::move(item));
    }
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("public_tables", std::move(list));
    return c.Json(200, std::move(out));
  }
  bool admin = mine >= control::Role::kAdmin;
  std::string base = "/-/spaces/" + space;
  std::string html = "<h1>Public tables of " + Escape(space) +
                     "</h1>\n<p>Everyone, signed in or not, may view a public table (its page, "
                     "JSON, CSV and rows) and nothing else of the space.</p>\n";
  if (policy->public_tables.empty()) {
    html += "<p>No table is public.</p>\n";
  } else {
    html += "<table class=\"rows-and-columns\"><thead><tr><th>Database</th><th>Table</th>" +
            std::string(admin ? "<th></th>" : "") + "</tr></thead><tbody>\n";
    for (const auto& [database, table] : policy->public_tables) {
      html += "<tr><td>" + Escape(database) + "</td><td><a href=\"" +
              Escape(SpaceUrl(c, space) + database + "/" + table) + "\">" + Escape(table) +
              "</a></td>";
      if (admin) {
        html += "<td><form method=\"post\" action=\"" + Escape(base) +
                "/public\" "
                "class=\"inline\">" +
                CsrfField(c) +
                "<input type=\"hidden\" name=\"database\" "
                "value=\"" +
                Escape(database) + "\"><input type=\"hidden\" name=\"table\" value=\"" +
                Escape(table) +
                "\"><input type=\"hidden\" name=\"public\" value=\"0\"><button "
                "type=\"submit\">Make private</button></form></td>";
      }
      html += "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  if (admin) {
    html += "<h2>Make a table public</h2>\n<form method=\"post\" action=\"" + Escape(base) +
            "/public\">" + CsrfField(c) +
            "<input type=\"hidden\" name=\"public\" value=\"1\">"
            "<p><label>Database<br><input type=\"text\" name=\"database\" value=\"data\" "
            "required></label></p><p><label>Table<br><input type=\"text\" name=\"table\" "
            "required></label></p><p><button type=\"submit\" class=\"primary\">Make public"
            "</button></p></form>\n";
  }
  return Render(c, 200, "Public tables of " + space, {{base + "/members", space}}, html);
}

http::Response AccountPages::SetPublic(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, control::Role::kAdmin, nullptr)) return std::move(*refused);
  std::string database = c.Field("database");
  std::string table = c.Field("table");
  std::string wanted = c.Field("public");
  if (!Nameable(database, true) || !Nameable(table, false)) {
    return Fail(c, 400, "database and table: the names of a database (without .db) and a table");
  }
  if (wanted != "1" && wanted != "0") return Fail(c, 400, "public: 1 or 0 (true or false)");
  bool make_public = wanted == "1";
  std::string directory = spaces_.dir().PolicyDir(space);
  Result<SpacePolicy> policy = ReadSpacePolicy(directory);
  if (!policy.ok()) return Fail(c, 500, policy.status().message());
  // Refused rather than done silently: publishing a table that is not there (a typo), or
  // taking back one that is not public (cloud/space_tables.h).
  if (make_public) {
    Status exists = CheckTableExists(spaces_.dir().SpaceDir(space), database, table);
    if (!exists.ok()) {
      return Fail(c, exists.code() == ErrorCode::kNotFound ? 404 : 500, exists.message());
    }
  } else if (!policy->public_tables.contains({database, table})) {
    return Fail(c, 404, database + "/" + table + " is not public");
  }
  policy->SetPublic(database, table, make_public);
  if (Status written = WriteSpacePolicy(directory, *policy); !written.ok()) {
    return Fail(c, 500, written.message());
  }
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("database", format::JsonValue::String(database));
  details.Set("table", format::JsonValue::String(table));
  Audit(c, space, make_public ? "table-public" : "table-private", details);
  if (c.json) {
    details.Set("public", format::JsonValue::Bool(make_public));
    return c.Json(200, std::move(details));
  }
  return http::Response::Redirect("/-/spaces/" + space + "/public", 303);
}

}  // namespace almanac::cloud
