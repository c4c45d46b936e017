// AccountPages: a space's own canned queries. A space's worker reads no config file, so its
// admins save read-only queries here; the front door keeps them in the space's policy file
// (cloud/space_policy.h), which the worker reloads within 0.1 s and serves as it serves a
// config's canned queries (/DB/QUERY, its JSON and CSV, the database page's list). Members
// may run them; each can be made public on its own (account_public.cc). Audit-logged.
#include <ctime>

#include "cloud/account_pages.h"
#include "cloud/space_policy.h"
#include "cloud/space_tables.h"

namespace almanac::cloud {
namespace {

using format::JsonValue;

constexpr size_t kMaxQueryName = 100;
constexpr size_t kMaxSql = 64 * 1024;
constexpr size_t kMaxText = 1000;

// A query's name is part of its URL (/DB/NAME): letters, digits, "_" and "-".
bool QueryNameOk(std::string_view name) {
  if (name.empty() || name.size() > kMaxQueryName) return false;
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

std::string TextOf(const JsonValue& query, std::string_view key) {
  const JsonValue* value = query.Find(key);
  return value && value->is_string() ? value->as_string() : std::string();
}

}  // namespace

http::Response AccountPages::QueriesPage(Context& c, const std::string& space) {
  control::Role mine = control::Role::kViewer;
  if (auto refused = Gate(c, space, control::Role::kViewer, &mine)) return std::move(*refused);
  Result<SpacePolicy> policy = ReadSpacePolicy(spaces_.dir().PolicyDir(space));
  if (!policy.ok()) return Fail(c, 500, policy.status().message());
  const JsonValue* databases = policy->document.Find("queries");
  struct Entry {
    std::string database, name, sql, title, description;
    bool is_public;
  };
  std::vector<Entry> entries;
  if (databases && databases->is_object()) {
    for (const auto& [database, queries] : databases->as_object()) {
      for (const auto& [name, query] : queries.as_object()) {
        entries.push_back({database, name, TextOf(query, "sql"), TextOf(query, "title"),
                           TextOf(query, "description"),
                           policy->public_queries.contains({database, name}) ||
                               policy->public_databases.contains(database)});
      }
    }
  }
  if (c.json) {
    JsonValue list = JsonValue::MakeArray();
    for (const Entry& e : entries) {
      list.as_array().push_back(JsonValue::MakeObject(
          {{"database", JsonValue::String(e.database)},
           {"name", JsonValue::String(e.name)},
           {"sql", JsonValue::String(e.sql)},
           {"title", e.title.empty() ? JsonValue() : JsonValue::String(e.title)},
           {"description", e.description.empty() ? JsonValue() : JsonValue::String(e.description)},
           {"public", JsonValue::Bool(e.is_public)}}));
    }
    return c.Json(200, JsonValue::MakeObject({{"queries", std::move(list)}}));
  }
  bool admin = mine >= control::Role::kAdmin;
  std::string base = "/-/spaces/" + space;
  std::string space_url = SpaceUrl(c, space);
  std::string html = "<h1>Canned queries of " + Escape(space) +
                     "</h1>\n<p>Saved read-only SQL that every member may run from its own page "
                     "(with its JSON and CSV), listed on its database's page. Admins save and "
                     "delete them; each can be made public on the <a href=\"" +
                     Escape(base) + "/public\">public page</a>.</p>\n";
  if (entries.empty()) {
    html += "<p>No canned queries yet.</p>\n";
  } else {
    html += "<table class=\"rows-and-columns\"><thead><tr><th>Query</th><th>SQL</th>" +
            std::string(admin ? "<th></th>" : "") + "</tr></thead><tbody>\n";
    for (const Entry& e : entries) {
      html += "<tr><td><a href=\"" + Escape(space_url + e.database + "/" + e.name) + "\">" +
              Escape(e.database + "/" + e.name) + "</a>" +
              (e.title.empty() ? "" : "<br>" + Escape(e.title)) + (e.is_public ? " (public)" : "") +
              "</td><td><pre>" + Escape(e.sql) + "</pre></td>";
      if (admin) {
        html += "<td><form method=\"post\" action=\"" + Escape(base) +
                "/queries\" class=\"inline\">" + CsrfField(c) +
                "<input type=\"hidden\" name=\"database\" value=\"" + Escape(e.database) +
                "\"><input type=\"hidden\" name=\"name\" value=\"" + Escape(e.name) +
                "\"><input type=\"hidden\" name=\"delete\" value=\"1\"><button "
                "type=\"submit\">Delete</button></form></td>";
      }
      html += "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  if (admin) {
    html += "<h2>Save a canned query</h2>\n<form method=\"post\" action=\"" + Escape(base) +
            "/queries\">" + CsrfField(c) +
            "<p><label>Database<br><input type=\"text\" name=\"database\" value=\"data\" "
            "required></label></p><p><label>Name (letters, digits, _ and -: its address is "
            "DATABASE/NAME)<br><input type=\"text\" name=\"name\" required "
            "pattern=\"[A-Za-z0-9_-]+\"></label></p><p><label>Title (optional)<br><input "
            "type=\"text\" name=\"title\"></label></p><p><label>Description (optional)<br><input "
            "type=\"text\" name=\"description\"></label></p><p><label>SQL (read-only; "
            ":named parameters become fields)<br><textarea name=\"sql\" rows=\"5\" cols=\"70\" "
            "required></textarea></label></p><p><button type=\"submit\" "
            "class=\"primary\">Save</button></p></form>\n";
  }
  return Render(c, 200, "Canned queries of " + space, {{base + "/members", space}}, html);
}

http::Response AccountPages::SaveQuery(Context& c, const std::string& space) {
  if (auto refused = Gate(c, space, control::Role::kAdmin, nullptr)) return std::move(*refused);
  std::string database = c.Field("database");
  std::string name = c.Field("name");
  std::string sql = c.Field("sql");
  std::string title = c.Field("title");
  std::string description = c.Field("description");
  std::string remove = c.Field("delete");
  if (!QueryNameOk(name)) {
    return Fail(c, 400,
                "name: a canned query's name is letters, digits, _ and - (at most 100), since "
                "it is part of its address");
  }
  if (remove != "" && remove != "0" && remove != "1") return Fail(c, 400, "delete: 1 or 0");
  bool deleting = remove == "1";
  if (!deleting &&
      (sql.find_first_not_of(" \t\r\n") == std::string::npos || sql.size() > kMaxSql)) {
    return Fail(c, 400, "sql: the query's SQL, at most 64 KB");
  }
  if (title.size() > kMaxText || description.size() > kMaxText) {
    return Fail(c, 400, "title and description: at most 1,000 characters each");
  }
  std::string directory = spaces_.dir().PolicyDir(space);
  Result<SpacePolicy> policy = ReadSpacePolicy(directory);
  if (!policy.ok()) return Fail(c, 500, policy.status().message());
  if (deleting) {
    if (!policy->HasQuery(database, name)) {
      return Fail(c, 404, "The space has no canned query " + database + "/" + name);
    }
    policy->RemoveQuery(database, name);
  } else {
    if (Status exists = CheckDatabaseExists(spaces_.dir().SpaceDir(space), database);
        !exists.ok()) {
      return Fail(c, 404, exists.message());
    }
    policy->SaveQuery(database, name, sql, title, description);
  }
  if (Status written = WriteSpacePolicy(directory, *policy); !written.ok()) {
    return Fail(c, 500, written.message());
  }
  JsonValue details = JsonValue::MakeObject(
      {{"database", JsonValue::String(database)}, {"query", JsonValue::String(name)}});
  (void)store_.Audit(c.account->name, space, deleting ? "query-delete" : "query-save",
                     format::ToJsonText(details), c.now);
  if (c.json) {
    details.Set(deleting ? "deleted" : "saved", JsonValue::Bool(true));
    return c.Json(200, std::move(details));
  }
  return http::Response::Redirect("/-/spaces/" + space + "/queries", 303);
}

}  // namespace almanac::cloud
