#include "ui/tool_pages.h"

#include "ui/html.h"

namespace almanac::ui {
namespace {

std::string Link(const std::string& href, const std::string& text) {
  return "<a href=\"" + Escape(href) + "\">" + Escape(text) + "</a>";
}

std::string Endpoint(const std::string& method, const std::string& path, const std::string& what) {
  std::string shown = method == "GET" ? Link(path, path) : "<code>" + Escape(path) + "</code>";
  return "<li><strong>" + method + "</strong> " + shown + " — " + Escape(what) + "</li>\n";
}

}  // namespace

HtmlPage RenderApiExplorer(const api::Urls& urls,
                           const std::vector<api::ViewableDatabase>& databases) {
  std::string body =
      "<h1>API explorer</h1>\n<p>Almanac's JSON API is Datasette's: add <code>.json</code> to "
      "a page's URL to read it. Write endpoints take a JSON body and an API token "
      "(<code>Authorization: Bearer dstok_...</code>, from " +
      Link(urls.Path("-/create-token"), "/-/create-token") + ").</p>\n";
  body += "<h2>Instance</h2>\n<ul>\n";
  body += Endpoint("GET", urls.Path(".json"), "every database and its tables");
  for (const char* page : {"versions", "settings", "databases", "actor", "schema", "queries"}) {
    body += Endpoint("GET", urls.Path("-/" + std::string(page) + ".json"), page);
  }
  body += "</ul>\n";
  for (const api::ViewableDatabase& db : databases) {
    body += "<h2>Database: " + Escape(db.name) + "</h2>\n<ul>\n";
    body += Endpoint("GET", urls.Database(db.name, "json"), "tables, views and queries");
    body += Endpoint("GET", urls.DatabaseQuery(db.name, "select sqlite_version()", "json"),
                     "read-only SQL");
    body +=
        Endpoint("POST", urls.DatabaseAction(db.name, "create"),
                 "create a table: {\"table\": \"name\", \"columns\": [...]} or {\"rows\": [...]}");
    body += Endpoint("POST", urls.DatabaseAction(db.name, "execute-write"),
                     "run writing SQL: {\"sql\": \"...\", \"params\": {...}}");
    for (const std::string& table : db.tables) {
      body += Endpoint("GET", urls.Table(db.name, table, "json"), table + ": rows");
      body += Endpoint("POST", urls.TableAction(db.name, table, "insert"),
                       table + ": insert {\"rows\": [{...}]}");
      body += Endpoint("POST", urls.TableAction(db.name, table, "upsert"),
                       table + ": upsert {\"rows\": [{...}]} by primary key");
    }
    body += "</ul>\n";
  }
  return {"API explorer", std::move(body)};
}

HtmlPage RenderPatterns() {
  std::string body =
      "<h1>Pattern portfolio</h1>\n"
      "<p>The elements Almanac's pages are built from, styled by <code>app.css</code>; a "
      "template in <code>--template-dir</code> can use the same classes.</p>\n"
      "<h2>Messages</h2>\n"
      "<p class=\"message-info\">An informational message</p>\n"
      "<p class=\"message-warning\">A warning</p>\n"
      "<p class=\"message-error\">An error</p>\n"
      "<h2>Export links</h2>\n"
      "<p class=\"export-links\">This data as <a href=\"#\">json</a>, <a href=\"#\">CSV</a></p>\n"
      "<h2>A form</h2>\n"
      "<form class=\"core\" method=\"get\" action=\"#\"><p><label>Search <input type=\"search\" "
      "name=\"_search\"></label> <input type=\"submit\" value=\"Search\"></p></form>\n"
      "<h2>A table</h2>\n"
      "<div class=\"table-wrapper\"><table class=\"rows-and-columns\">\n"
      "<thead><tr><th scope=\"col\">id</th><th scope=\"col\">name</th></tr></thead>\n"
      "<tbody><tr><td class=\"type-int\">1</td><td class=\"type-str\">first</td></tr>\n"
      "<tr><td class=\"type-int\">2</td><td class=\"type-none\">&nbsp;</td></tr></tbody>\n"
      "</table></div>\n";
  return {"Pattern portfolio", std::move(body)};
}

HtmlPage RenderAllowDebug(const AllowDebugModel& model, const api::Urls& urls) {
  std::string body =
      "<h1>Debug allow rules</h1>\n<p>Try an actor against an <code>allow</code> block.</p>\n"
      "<form class=\"core\" action=\"" +
      Escape(urls.Path("-/allow-debug")) +
      "\" method=\"get\">\n<p><label>Allow block<br><textarea name=\"allow\" rows=\"6\" "
      "cols=\"60\">" +
      Escape(model.allow_input) +
      "</textarea></label></p>\n<p><label>Actor<br><textarea name=\"actor\" rows=\"6\" "
      "cols=\"60\">" +
      Escape(model.actor_input) +
      "</textarea></label></p>\n<p><input type=\"submit\" value=\"Apply allow block to "
      "actor\"></p>\n</form>\n";
  if (!model.error.empty())
    body += "<p class=\"message-warning\">" + Escape(model.error) + "</p>\n";
  if (model.allowed) {
    body += *model.allowed ? "<p class=\"message-info\">Result: allow</p>\n"
                           : "<p class=\"message-error\">Result: deny</p>\n";
  }
  return {"Debug allow rules", std::move(body)};
}

HtmlPage RenderMessagesDebug(const api::Urls& urls) {
  std::string body =
      "<h1>Debug messages</h1>\n<p>Set a message:</p>\n<form class=\"core\" action=\"" +
      Escape(urls.Path("-/messages")) +
      "\" method=\"post\">\n<p><input type=\"text\" name=\"message\"> <select "
      "name=\"message_type\"><option>INFO</option><option>WARNING</option>"
      "<option>ERROR</option><option>all</option></select> <input "
      "type=\"submit\" value=\"Add message\"></p>\n</form>\n";
  return {"Debug messages", std::move(body)};
}

}  // namespace almanac::ui
