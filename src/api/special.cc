#include "api/special.h"

#include <algorithm>

#include <sqlite3.h>

#include "api/canned_queries.h"
#include "api/catalog.h"
#include "api/resolve.h"
#include "core/url.h"
#include "db/execute.h"
#include "format/json_value.h"

namespace almanac::api {
namespace {

using format::JsonValue;

JsonValue Ok() { return JsonValue::MakeObject({{"ok", JsonValue::Bool(true)}}); }

Result<std::string> SchemaText(const Instance& instance, const Request& request,
                               const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_ASSIGN_OR_RETURN(
      db::QueryResult result,
      db::Execute(*resolved.conn,
                  {"select sql from sqlite_master where sql is not null order by rowid", {}},
                  QueryLimits(instance, request)));
  std::string schema;
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (r) schema += ";\n";
    schema += result.rows.at(r, 0).text();
  }
  return schema;
}

}  // namespace

SpecialPage VersionsPage(const Instance& instance) {
  JsonValue data = Ok();
  // Datasette reports its Python runtime here; Almanac has none, so those fields are null.
  data.Set("python", JsonValue::MakeObject({{"version", JsonValue()}, {"full", JsonValue()}}));
  data.Set("datasette", JsonValue::MakeObject({{"version", JsonValue::String("1.0a37")}}));
  data.Set("asgi", JsonValue());
  data.Set("uvicorn", JsonValue());
  JsonValue::Array options;
  for (int i = 0;; ++i) {
    const char* option = sqlite3_compileoption_get(i);
    if (!option) break;
    options.push_back(JsonValue::String(option));
  }
  data.Set("sqlite", JsonValue::MakeObject(
                         {{"version", JsonValue::String(sqlite3_libversion())},
                          {"fts_versions", JsonValue::MakeArray({JsonValue::String("FTS5"),
                                                                 JsonValue::String("FTS4"),
                                                                 JsonValue::String("FTS3")})},
                          {"extensions", JsonValue::MakeObject({{"json1", JsonValue::Bool(true)}})},
                          {"compile_options", JsonValue::MakeArray(std::move(options))}}));
  (void)instance;
  return {"Versions", std::move(data)};
}

SpecialPage SettingsPage(const Instance& instance) {
  Result<JsonValue> parsed = format::ParseJson(instance.settings.ToJson());
  return {"Settings", parsed.ok() ? std::move(parsed).value() : Ok()};
}

SpecialPage DatabasesPage(const Instance& instance, const auth::MaybeActor& actor) {
  JsonValue::Array list;
  for (const auto& db : instance.registry.all()) {
    if (!instance.permissions.Allowed(actor, auth::Action::kViewDatabase,
                                      auth::Resource::Database(db->name()))) {
      continue;
    }
    list.push_back(JsonValue::MakeObject({
        {"name", JsonValue::String(db->name())},
        {"route", JsonValue::String(db->name())},
        {"path", db->is_memory() ? JsonValue() : JsonValue::String(db->path())},
        {"size", JsonValue::Int(db->FileSize())},
        {"is_mutable", JsonValue::Bool(db->is_mutable())},
        {"is_memory", JsonValue::Bool(db->is_memory())},
        {"hash", JsonValue()},
    }));
  }
  JsonValue data = Ok();
  data.Set("databases", JsonValue::MakeArray(std::move(list)));
  return {"Databases", std::move(data)};
}

SpecialPage ActorPage(const Request& request) {
  JsonValue data = Ok();
  data.Set("actor", request.actor ? request.actor->data : JsonValue());
  return {"Actor", std::move(data)};
}

SpecialPage ConfigPage(const Instance& instance) {
  JsonValue data = Ok();
  format::JsonValue redacted = instance.config.Redacted();
  for (auto& [key, value] : redacted.as_object()) data.Set(key, value);
  return {"Config", std::move(data)};
}

Result<SpecialPage> ThreadsPage(const Instance& instance, const Request& request) {
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kPermissionsDebug,
                              auth::Resource::Instance(), "permissions-debug"));
  JsonValue data = Ok();
  int64_t sql_threads = instance.settings.num_sql_threads;
  JsonValue::Array threads;
  threads.push_back(JsonValue::MakeObject({{"name", JsonValue::String("main")},
                                           {"ident", JsonValue::Int(0)},
                                           {"daemon", JsonValue::Bool(false)}}));
  for (int64_t i = 0; i < sql_threads; ++i) {
    threads.push_back(
        JsonValue::MakeObject({{"name", JsonValue::String("sql-" + std::to_string(i))},
                               {"ident", JsonValue::Int(i + 1)},
                               {"daemon", JsonValue::Bool(false)}}));
  }
  data.Set("num_threads", JsonValue::Int(static_cast<int64_t>(threads.size())));
  data.Set("threads", JsonValue::MakeArray(std::move(threads)));
  data.Set("num_tasks", JsonValue::Int(0));
  data.Set("tasks", JsonValue::MakeArray());
  return SpecialPage{"Threads", std::move(data)};
}

Result<SpecialPage> ActionsPage(const Instance& instance, const Request& request) {
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kPermissionsDebug,
                              auth::Resource::Instance(), "permissions-debug"));
  JsonValue::Array actions;
  for (const auth::ActionInfo& info : auth::AllActions()) {
    const char* resource_class = nullptr;
    switch (info.level) {
      case auth::ResourceLevel::kDatabase:
        resource_class = "DatabaseResource";
        break;
      case auth::ResourceLevel::kTable:
        resource_class = "TableResource";
        break;
      case auth::ResourceLevel::kQuery:
        resource_class = "QueryResource";
        break;
      case auth::ResourceLevel::kInstance:
        break;
    }
    actions.push_back(JsonValue::MakeObject({
        {"name", JsonValue::String(std::string(info.name))},
        {"abbr", JsonValue::String(std::string(info.abbr))},
        {"description", JsonValue::String(std::string(info.description))},
        {"takes_parent", JsonValue::Bool(info.level != auth::ResourceLevel::kInstance)},
        {"takes_child", JsonValue::Bool(info.level == auth::ResourceLevel::kTable ||
                                        info.level == auth::ResourceLevel::kQuery)},
        {"resource_class", resource_class ? JsonValue::String(resource_class) : JsonValue()},
        {"also_requires", info.also_requires
                              ? JsonValue::String(std::string(auth::Info(*info.also_requires).name))
                              : JsonValue()},
    }));
  }
  std::sort(actions.begin(), actions.end(), [](const JsonValue& a, const JsonValue& b) {
    return a.Find("name")->as_string() < b.Find("name")->as_string();
  });
  JsonValue data = Ok();
  data.Set("actions", JsonValue::MakeArray(std::move(actions)));
  return SpecialPage{"Actions", std::move(data)};
}

Result<SpecialPage> SchemaPage(const Instance& instance, const Request& request,
                               std::string_view database) {
  JsonValue data = Ok();
  if (!database.empty()) {
    // Permission first, so actors without view-database cannot probe which databases exist.
    ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewDatabase,
                                auth::Resource::Database(std::string(database)), "view-database"));
    ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
    ALM_ASSIGN_OR_RETURN(std::string schema, SchemaText(instance, request, resolved.db->name()));
    data.Set("database", JsonValue::String(resolved.db->name()));
    data.Set("schema", JsonValue::String(std::move(schema)));
    return SpecialPage{"Schema", std::move(data)};
  }
  std::vector<std::string> names;
  for (const auto& db : instance.registry.all()) names.push_back(db->name());
  std::sort(names.begin(), names.end());
  JsonValue::Array schemas;
  for (const std::string& name : names) {
    if (!instance.permissions.Allowed(request.actor, auth::Action::kViewDatabase,
                                      auth::Resource::Database(name))) {
      continue;
    }
    ALM_ASSIGN_OR_RETURN(std::string schema, SchemaText(instance, request, name));
    schemas.push_back(JsonValue::MakeObject(
        {{"database", JsonValue::String(name)}, {"schema", JsonValue::String(std::move(schema))}}));
  }
  data.Set("schemas", JsonValue::MakeArray(std::move(schemas)));
  return SpecialPage{"Schema", std::move(data)};
}

Result<SpecialPage> QueryListPage(const Instance& instance, const Request& request,
                                  std::string_view database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  const std::string& name = resolved.db->name();
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewDatabase,
                              auth::Resource::Database(name),
                              "You do not have permission to view this database"));
  std::vector<CannedQuery> visible;
  for (CannedQuery& q : CannedQueries(instance.config, name)) {
    if (instance.permissions.Allowed(request.actor, auth::Action::kViewQuery,
                                     auth::Resource::Table(name, q.name))) {
      visible.push_back(std::move(q));
    }
  }
  return SpecialPage{"Queries", QueryListJson(visible, name, DatabaseColor(name),
                                              instance.urls().DatabaseAction(name, "queries"))};
}

}  // namespace almanac::api
