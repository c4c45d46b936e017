// ?_extra= blocks of the SQL and canned-query pages.
#include "api/canned_queries.h"
#include "api/catalog.h"
#include "api/extras.h"
#include "api/query.h"
#include "sql/query.h"

namespace almanac::api {
namespace {

using format::JsonValue;

// The database's own metadata (description, title, ...), without its tables and queries.
JsonValue DatabaseMetadataJson(const Instance& instance, std::string_view database) {
  JsonValue out = JsonValue::MakeObject();
  const JsonValue* meta = instance.config.DatabaseMetadata(database);
  if (!meta || !meta->is_object()) return out;
  for (const auto& [k, v] : meta->as_object()) {
    if (k != "tables" && k != "queries") out.Set(k, v);
  }
  return out;
}

}  // namespace

Status ResolveQueryExtras(const Instance& instance, const Request& request, QueryPage& page) {
  std::set<std::string> extras = RequestedExtras(request);
  ALM_RETURN_IF_ERROR(ValidateExtras(extras, ExtraScope::kQuery));
  if (extras.empty()) return Status::Ok();
  auto set = [&](const char* name, JsonValue value) {
    if (extras.count(name)) page.extra_json.emplace_back(name, std::move(value));
  };
  if (extras.count("columns")) {
    JsonValue::Array columns;
    for (const std::string& c : page.rows.columns) columns.push_back(JsonValue::String(c));
    set("columns", JsonValue::MakeArray(std::move(columns)));
  }
  set("render_cell", EmptyRenderCells(page.row_count()));
  if (extras.count("debug")) {
    JsonValue debug = JsonValue::MakeObject();
    debug.Set("url_vars", UrlVarsJson(request));
    set("debug", std::move(debug));
  }
  if (extras.count("request")) set("request", RequestJson(request));
  if (extras.count("query")) {
    // Datasette's named_parameter_values: a canned query's declared `params:` when it has
    // them, else the SQL's :names; magic parameters (:_name) left out.
    std::vector<std::string> names;
    if (page.canned_query) {
      if (std::optional<CannedQuery> canned =
              FindCannedQuery(instance, page.database, *page.canned_query)) {
        names = canned->parameters;
      }
    }
    if (names.empty()) names = sql::NamedParameters(page.sql);
    JsonValue params = JsonValue::MakeObject();
    for (const std::string& name : names) {
      if (name.starts_with("_")) continue;
      const std::string* value = request.Arg(name);
      params.Set(name, JsonValue::String(value ? *value : ""));
    }
    JsonValue query = JsonValue::MakeObject();
    query.Set("sql", JsonValue::String(page.sql));
    query.Set("params", std::move(params));
    set("query", std::move(query));
  }
  if (extras.count("metadata")) {
    std::optional<CannedQuery> canned;
    if (page.canned_query) canned = FindCannedQuery(instance, page.database, *page.canned_query);
    set("metadata",
        canned ? CannedQueryJson(*canned) : DatabaseMetadataJson(instance, page.database));
  }
  if (extras.count("extras")) set("extras", ExtrasListJson(request, ExtraScope::kQuery, extras));
  set("database", JsonValue::String(page.database));
  set("database_color", JsonValue::String(DatabaseColor(page.database)));
  if (extras.count("private")) {
    auth::Resource resource = page.canned_query
                                  ? auth::Resource::Table(page.database, *page.canned_query)
                                  : auth::Resource::Database(page.database);
    auth::Action action = page.canned_query ? auth::Action::kViewQuery : auth::Action::kExecuteSql;
    set("private", JsonValue::Bool(IsPrivate(instance, request, action, resource)));
  }
  return Status::Ok();
}

}  // namespace almanac::api
