#include "api/special.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include <sqlite3.h>

#include "api/canned_queries.h"
#include "api/catalog.h"
#include "api/resolve.h"
#include "api/table.h"
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

// Datasette's _query_list_limit: parse_size_limit(_size, 20 for HTML / 50 for JSON,
// max_returned_rows).
Result<int64_t> QueryListLimit(const Instance& instance, const Request& request, bool html) {
  return ParsePageSize(request.Arg("_size"), std::nullopt, html ? 20 : 50,
                       instance.settings.max_returned_rows);
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
        {"hash", db->ContentHash() ? JsonValue::String(*db->ContentHash()) : JsonValue()},
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

Result<SpecialPage> TableSchemaPage(const Instance& instance, const Request& request,
                                    std::string_view database, std::string_view table) {
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                              auth::Resource::Table(std::string(database), std::string(table)),
                              "view-table"));
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  // A definition that names a table the actor may not view is refused like that table.
  ResolvedTable as_table;
  static_cast<ResolvedDatabase&>(as_table) = resolved;
  as_table.table = resolved.schema->Find(table);
  if (as_table.table && !DefinitionViewable(instance, request, as_table)) {
    if (instance.hidden_means_absent) {
      return NotFound("Table not found").About(ErrorSubject::kTable);
    }
    return PermissionDenied("view-table");
  }
  ALM_ASSIGN_OR_RETURN(
      db::QueryResult result,
      db::Execute(*resolved.conn,
                  {"select sql from sqlite_master where name = ? and sql is not null",
                   {Value::Text(std::string(table))}},
                  QueryLimits(instance, request)));
  if (result.rows.size() == 0 || result.rows.at(0, 0).type() != Value::Type::kText) {
    return NotFound("Table not found").About(ErrorSubject::kTable);
  }
  JsonValue data = Ok();
  data.Set("database", JsonValue::String(resolved.db->name()));
  data.Set("table", JsonValue::String(std::string(table)));
  data.Set("schema", JsonValue::String(result.rows.at(0, 0).text()));
  return SpecialPage{"Schema", std::move(data)};
}

std::string SchemaMarkdown(const SpecialPage& page) {
  auto section = [](const std::string& heading, const std::string& schema) {
    return "# Schema for " + heading + "\n\n```sql\n" + schema + "\n```";
  };
  const JsonValue& data = page.data;
  if (const JsonValue* schemas = data.Find("schemas")) {
    std::string md;
    for (const JsonValue& item : schemas->as_array()) {
      if (!md.empty()) md += "\n\n";
      md += section(item.Find("database")->as_string(), item.Find("schema")->as_string());
    }
    return md;
  }
  std::string heading = data.Find("database")->as_string();
  if (const JsonValue* table = data.Find("table")) heading += "." + table->as_string();
  return section(heading, data.Find("schema")->as_string()) + "\n";
}

SpecialPage PluginsPage() { return {"Plugins", JsonValue::MakeArray()}; }

Result<SpecialPage> GlobalQueryListPage(const Instance& instance, const Request& request,
                                        bool html) {
  ALM_ASSIGN_OR_RETURN(int64_t limit, QueryListLimit(instance, request, html));
  std::vector<CannedQuery> visible;
  for (const auto& db : instance.registry.all()) {
    const std::string& name = db->name();
    if (!instance.permissions.Allowed(request.actor, auth::Action::kViewDatabase,
                                      auth::Resource::Database(name))) {
      continue;
    }
    for (CannedQuery& q : CannedQueries(instance, name)) {
      if (instance.permissions.Allowed(request.actor, auth::Action::kViewQuery,
                                       auth::Resource::Table(name, q.name))) {
        visible.push_back(std::move(q));
      }
    }
  }
  auto key = [](const CannedQuery& q) {
    std::string title = q.title.value_or(q.name);
    std::transform(title.begin(), title.end(), title.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::make_tuple(std::move(title), q.name, q.database);
  };
  std::stable_sort(visible.begin(), visible.end(),
                   [&](const CannedQuery& a, const CannedQuery& b) { return key(a) < key(b); });
  return SpecialPage{"Queries",
                     QueryListJson(visible, "", "", instance.urls().Path("-/queries"), limit)};
}

Result<SpecialPage> QueryListPage(const Instance& instance, const Request& request,
                                  std::string_view database, bool html) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  const std::string& name = resolved.db->name();
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewDatabase,
                              auth::Resource::Database(name),
                              "You do not have permission to view this database"));
  ALM_ASSIGN_OR_RETURN(int64_t limit, QueryListLimit(instance, request, html));
  std::vector<CannedQuery> visible;
  for (CannedQuery& q : CannedQueries(instance, name)) {
    if (instance.permissions.Allowed(request.actor, auth::Action::kViewQuery,
                                     auth::Resource::Table(name, q.name))) {
      visible.push_back(std::move(q));
    }
  }
  return SpecialPage{"Queries",
                     QueryListJson(visible, name, DatabaseColor(name),
                                   instance.urls().DatabaseAction(name, "queries"), limit)};
}

}  // namespace almanac::api
