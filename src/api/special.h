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
// /<db>/-/queries.json: the database's canned queries.
Result<SpecialPage> QueryListPage(const Instance& instance, const Request& request,
                                  std::string_view database);
// /-/schema.json (every database) or /<db>/-/schema.json (one).
Result<SpecialPage> SchemaPage(const Instance& instance, const Request& request,
                               std::string_view database);

}  // namespace almanac::api
