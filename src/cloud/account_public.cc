// AccountPages: a space's public tables. The front door writes the space's policy file
// (cloud/space_policy.h), which its worker reloads within 0.1 s; anonymous visitors then see
// those tables and nothing else of the space. Admins toggle; every toggle is audit-logged.
#include <ctime>
#include <set>

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
    auto pairs = [](const std::set<std::pair<std::string, std::string>>& entries,
                    const char* name_key) {
      format::JsonValue list = format::JsonValue::MakeArray();
      for (const auto& [database, name] : entries) {
        format::JsonValue item = format::JsonValue::MakeObject();
        item.Set("database", format::JsonValue::String(database));
        item.Set(name_key, format::JsonValue::String(name));
        list.as_array().push_back(std::move(item));
      }
      return list;
    };
    format::JsonValue databases = format::JsonValue::MakeArray();
    for (const std::string& database : policy->public_databases) {
      format::JsonValue item = format::JsonValue::MakeObject();
      item.Set("database", format::JsonValue::String(database));
      item.Set("sql", format::JsonValue::Bool(policy->public_sql.contains(database)));
      databases.as_array().push_back(std::move(item));
    }
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("public_tables", pairs(policy->public_tables, "table"));
    out.Set("public_databases", std::move(databases));
    out.Set("public_queries", pairs(policy->public_queries, "query"));
    return c.Json(200, std::move(out));
  }
  bool admin = mine >= control::Role::kAdmin;
  std::string base = "/-/spaces/" + space;
  std::string html =
      "<h1>Public in " + Escape(space) +
      "</h1>\n<p>Everyone, signed in or not, may view what is public here — a table (its page, "
      "JSON, CSV and rows), a whole database (its tables and canned queries, and read-only SQL "
      "when allowed) or one canned query — and nothing else of the space.</p>\n";
  // One row per public thing, with the form that makes it private again.
  auto row = [&](std::string_view kind, const std::string& database, const std::string& name,
                 std::string_view name_field, std::string link, std::string note) {
    std::string out = "<tr><td>" + std::string(kind) + "</td><td><a href=\"" + Escape(link) +
                      "\">" + Escape(name.empty() ? database : database + "/" + name) + "</a>" +
                      note + "</td>";
    if (admin) {
      out += "<td><form method=\"post\" action=\"" + Escape(base) + "/public\" class=\"inline\">" +
             CsrfField(c) + "<input type=\"hidden\" name=\"database\" value=\"" + Escape(database) +
             "\">";
      if (!name_field.empty()) {
        out += "<input type=\"hidden\" name=\"" + std::string(name_field) + "\" value=\"" +
               Escape(name) + "\">";
      }
      out +=
          "<input type=\"hidden\" name=\"public\" value=\"0\"><button type=\"submit\">Make "
          "private</button></form></td>";
    }
    return out + "</tr>\n";
  };
  std::string rows;
  std::string space_url = SpaceUrl(c, space);
  for (const std::string& database : policy->public_databases) {
    rows += row("database", database, "", "", space_url + database,
                policy->public_sql.contains(database) ? " (with SQL)" : "");
  }
  for (const auto& [database, table] : policy->public_tables) {
    rows += row("table", database, table, "table", space_url + database + "/" + table, "");
  }
  for (const auto& [database, query] : policy->public_queries) {
    rows += row("canned query", database, query, "query", space_url + database + "/" + query, "");
  }
  if (rows.empty()) {
    html += "<p>Nothing is public.</p>\n";
  } else {
    html += "<table class=\"rows-and-columns\"><thead><tr><th>What</th><th>Name</th>" +
            std::string(admin ? "<th></th>" : "") + "</tr></thead><tbody>\n" + rows +
            "</tbody></table>\n";
  }
  if (admin) {
    std::string form_start = "<form method=\"post\" action=\"" + Escape(base) + "/public\">" +
                             CsrfField(c) +
                             "<input type=\"hidden\" name=\"public\" value=\"1\">"
                             "<p><label>Database<br><input type=\"text\" name=\"database\" "
                             "value=\"data\" required></label></p>";
    html += "<h2>Make a table public</h2>\n" + form_start +
            "<p><label>Table<br><input type=\"text\" name=\"table\" required></label></p>"
            "<p><button type=\"submit\" class=\"primary\">Make public</button></p></form>\n";
    html += "<h2>Make a whole database public</h2>\n" + form_start +
            "<p><label><input type=\"checkbox\" name=\"sql\" value=\"1\"> and let everyone run "
            "read-only SQL on it</label></p><p><button type=\"submit\" class=\"primary\">Make "
            "public</button></p></form>\n";
    html += "<h2>Make a canned query public</h2>\n" + form_start +
            "<p><label>Canned query<br><input type=\"text\" name=\"query\" required></label></p>"
            "<p><button type=\"submit\" class=\"primary\">Make public</button></p></form>\n";
  }
  return Render(c, 200, "Public in " + space, {{base + "/members", space}}, html);
}

http::Response AccountPages::SetPublic(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, control::Role::kAdmin, nullptr)) return std::move(*refused);
  PublicChange change;
  change.database = c.Field("database");
  change.table = c.Field("table");
  change.query = c.Field("query");
  std::string wanted = c.Field("public");
  std::string sql = c.Field("sql");
  if (!Nameable(change.database, true) ||
      (!change.table.empty() && !Nameable(change.table, false)) ||
      (!change.query.empty() && !Nameable(change.query, false))) {
    return Fail(c, 400,
                "database, and table or query: the names of a database (without .db) and of "
                "one of its tables or canned queries");
  }
  if (!change.table.empty() && !change.query.empty()) {
    return Fail(c, 400, "Name a table or a canned query, not both");
  }
  if (wanted != "1" && wanted != "0") return Fail(c, 400, "public: 1 or 0 (true or false)");
  if (!sql.empty() && sql != "1" && sql != "0") return Fail(c, 400, "sql: 1 or 0 (true or false)");
  change.make_public = wanted == "1";
  change.sql = sql == "1";
  if (change.sql && (!change.table.empty() || !change.query.empty())) {
    return Fail(c, 400, "sql: only a whole public database may allow SQL");
  }
  if (Status written = WritePublic(space, change, c.account->name, c.now); !written.ok()) {
    return Fail(c, written.code() == ErrorCode::kNotFound ? 404 : 500, written.message());
  }
  if (c.json) {
    format::JsonValue out = format::JsonValue::MakeObject();
    out.Set("database", format::JsonValue::String(change.database));
    if (!change.table.empty()) out.Set("table", format::JsonValue::String(change.table));
    if (!change.query.empty()) out.Set("query", format::JsonValue::String(change.query));
    if (change.table.empty() && change.query.empty()) {
      out.Set("sql", format::JsonValue::Bool(change.make_public && change.sql));
    }
    out.Set("public", format::JsonValue::Bool(change.make_public));
    return c.Json(200, std::move(out));
  }
  return http::Response::Redirect("/-/spaces/" + space + "/public", 303);
}

http::Response AccountPages::SetPublicFromTablePage(const std::string& space, const Caller& caller,
                                                    const http::Request& request,
                                                    const PublicToggle& toggle) {
  auto c = std::make_shared<Context>();
  c->now = std::time(nullptr);
  c->method = request.method;
  // The space's admin token, or an admin or owner (signed in, or with an API token that has
  // no restrictions: a narrowed token never publishes anything).
  std::string who;
  if (caller.kind == Caller::kAdminToken) {
    who = "admin token";
  } else if (caller.kind == Caller::kMember && caller.actor) {
    const format::JsonValue* role = caller.actor->data.Find("role");
    const format::JsonValue* id = caller.actor->data.Find("id");
    std::optional<control::Role> level =
        role && role->is_string() ? control::RoleByName(role->as_string()) : std::nullopt;
    if (level && *level >= control::Role::kAdmin && !caller.actor->data.Find("_r") && id &&
        id->is_string()) {
      who = id->as_string();
    }
  }
  if (who.empty()) {
    return Fail(*c, 403, "Only the space's admins may make a table public or private");
  }
  if (request.method != "POST") return Fail(*c, 405, "Send the table page's form (POST)");
  std::map<std::string, std::string> form = ParseForm(request.body);
  std::string wanted = form.count("public") ? form["public"] : "";
  if (!Nameable(toggle.database, true) || !Nameable(toggle.table, false)) {
    return Fail(*c, 400, "Not a table of this space");
  }
  if (wanted != "1" && wanted != "0") return Fail(*c, 400, "public: 1 or 0");
  http::Response response;
  response.deferred = [this, c, space, toggle, who,
                       make_public = wanted == "1"](std::function<void(http::Response)> reply) {
    slow_.Submit([this, c, space, toggle, who, make_public, reply] {
      PublicChange change{toggle.database, toggle.table, "", make_public, false};
      Status written = WritePublic(space, change, who, c->now);
      int status = written.code() == ErrorCode::kNotFound ? 404 : 500;
      reply(written.ok() ? http::Response::Redirect(toggle.table_page, 303)
                         : Fail(*c, status, written.message()));
    });
  };
  return response;
}

Status AccountPages::WritePublic(const std::string& space, const PublicChange& change,
                                 const std::string& who, int64_t now) {
  std::string directory = spaces_.dir().PolicyDir(space);
  ALM_ASSIGN_OR_RETURN(SpacePolicy policy, ReadSpacePolicy(directory));
  format::JsonValue details = format::JsonValue::MakeObject();
  details.Set("database", format::JsonValue::String(change.database));
  std::string kind;
  if (!change.table.empty()) {
    // Refused rather than done silently: publishing a table that is not there (a typo), or
    // taking back one that is not public (cloud/space_tables.h).
    if (change.make_public) {
      ALM_RETURN_IF_ERROR(
          CheckTableExists(spaces_.dir().SpaceDir(space), change.database, change.table));
    } else if (!policy.public_tables.contains({change.database, change.table})) {
      return NotFound(change.database + "/" + change.table + " is not public");
    }
    policy.SetPublic(change.database, change.table, change.make_public);
    details.Set("table", format::JsonValue::String(change.table));
    kind = "table";
  } else if (!change.query.empty()) {
    if (change.make_public && !policy.HasQuery(change.database, change.query)) {
      return NotFound("The space has no canned query " + change.database + "/" + change.query +
                      " (save it first, on its canned queries page)");
    }
    if (!change.make_public && !policy.public_queries.contains({change.database, change.query})) {
      return NotFound(change.database + "/" + change.query + " is not public");
    }
    policy.SetPublicQuery(change.database, change.query, change.make_public);
    details.Set("query", format::JsonValue::String(change.query));
    kind = "query";
  } else {
    if (change.make_public) {
      ALM_RETURN_IF_ERROR(CheckDatabaseExists(spaces_.dir().SpaceDir(space), change.database));
    } else if (!policy.public_databases.contains(change.database)) {
      return NotFound(change.database + " is not public");
    }
    policy.SetPublicDatabase(change.database, change.make_public, change.sql);
    if (change.make_public) details.Set("sql", format::JsonValue::Bool(change.sql));
    kind = "database";
  }
  ALM_RETURN_IF_ERROR(WriteSpacePolicy(directory, policy));
  (void)store_.Audit(who, space, kind + (change.make_public ? "-public" : "-private"),
                     format::ToJsonText(details), now);
  return Status::Ok();
}

}  // namespace almanac::cloud
