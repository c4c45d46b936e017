// The /-/ introspection pages: versions, settings, databases, actor, config, schema, threads,
// actions. Each is a small JSON document, so the model is a format::JsonValue.
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "format/json_value.h"

namespace almanac::api {

struct SpecialPage {
  std::string title;       // for the HTML rendering
  format::JsonValue data;  // the JSON body
};

SpecialPage VersionsPage(const Instance& instance);
SpecialPage SettingsPage(const Instance& instance);
SpecialPage DatabasesPage(const Instance& instance, const auth::MaybeActor& actor);
SpecialPage ActorPage(const Request& request);
SpecialPage ConfigPage(const Instance& instance);
Result<SpecialPage> ThreadsPage(const Instance& instance, const Request& request);
Result<SpecialPage> ActionsPage(const Instance& instance, const Request& request);
// /<db>/-/queries.json: the database's canned queries; `_size` (default 50 for JSON, 20 for
// HTML, at most max_returned_rows) validated as the table page validates it.
Result<SpecialPage> QueryListPage(const Instance& instance, const Request& request,
                                  std::string_view database, bool html);
// /-/queries.json: the canned queries of every database the actor may see.
Result<SpecialPage> GlobalQueryListPage(const Instance& instance, const Request& request,
                                        bool html);
// /-/plugins.json: a list, empty (Almanac has no plugins).
SpecialPage PluginsPage();
// /-/schema.json (every database) or /<db>/-/schema.json (one).
Result<SpecialPage> SchemaPage(const Instance& instance, const Request& request,
                               std::string_view database);
// /<db>/<table>/-/schema.json: the CREATE statement of one table, view or index (NotFound
// "Table not found" when sqlite_master has none by that name).
Result<SpecialPage> TableSchemaPage(const Instance& instance, const Request& request,
                                    std::string_view database, std::string_view table);
// A schema page as Datasette's .md twin: "# Schema for <db>[.<table>]" and the SQL in a fenced
// block, one such section per database for the instance page.
std::string SchemaMarkdown(const SpecialPage& page);

}  // namespace almanac::api
