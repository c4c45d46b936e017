#include "api/canned_queries.h"

#include <algorithm>

#include "api/context.h"
#include "core/text.h"

namespace almanac::api {
namespace {

using format::JsonValue;

std::optional<std::string> OptionalString(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = obj.Find(key);
  if (v && v->is_string()) return v->as_string();
  return std::nullopt;
}

JsonValue OptionalJson(const std::optional<std::string>& v) {
  return v ? JsonValue::String(*v) : JsonValue();
}

CannedQuery FromConfig(std::string_view database, const std::string& name, const JsonValue& v) {
  CannedQuery q;
  q.database = std::string(database);
  q.name = name;
  if (v.is_string()) {
    q.sql = v.as_string();
    return q;
  }
  q.sql = OptionalString(v, "sql").value_or("");
  q.title = OptionalString(v, "title");
  q.description = OptionalString(v, "description");
  q.description_html = OptionalString(v, "description_html");
  q.fragment = OptionalString(v, "fragment");
  if (const JsonValue* hide = v.Find("hide_sql")) q.hide_sql = hide->Truthy();
  if (const JsonValue* write = v.Find("write")) q.is_write = write->Truthy();
  if (const JsonValue* params = v.Find("params"); params && params->is_array()) {
    for (const JsonValue& p : params->as_array()) {
      if (p.is_string()) q.parameters.push_back(p.as_string());
    }
  }
  q.on_success_message = OptionalString(v, "on_success_message");
  q.on_success_message_sql = OptionalString(v, "on_success_message_sql");
  q.on_success_redirect = OptionalString(v, "on_success_redirect");
  q.on_error_message = OptionalString(v, "on_error_message");
  q.on_error_redirect = OptionalString(v, "on_error_redirect");
  return q;
}

// A space's saved query never writes, whatever its entry says.
CannedQuery FromSpace(std::string_view database, const std::string& name, const JsonValue& v) {
  CannedQuery q = FromConfig(database, name, v);
  q.is_write = false;
  return q;
}

// Adds the queries of a `queries:` block that `out` has no query of the same name for.
void AddQueries(std::vector<CannedQuery>& out, std::string_view database, const JsonValue* queries,
                bool from_space) {
  if (!queries || !queries->is_object()) return;
  for (const auto& [name, value] : queries->as_object()) {
    const std::string& named = name;  // (clang 14 cannot capture a structured binding)
    bool hidden = std::any_of(out.begin(), out.end(),
                              [&named](const CannedQuery& q) { return q.name == named; });
    if (!hidden) {
      out.push_back(from_space ? FromSpace(database, name, value)
                               : FromConfig(database, name, value));
    }
  }
}

void SortQueries(std::vector<CannedQuery>& out) {
  auto sort_key = [](const CannedQuery& q) {
    return AsciiLower(q.title && !q.title->empty() ? *q.title : q.name);
  };
  std::stable_sort(out.begin(), out.end(), [&](const CannedQuery& a, const CannedQuery& b) {
    std::string ka = sort_key(a);
    std::string kb = sort_key(b);
    return ka != kb ? ka < kb : a.name < b.name;
  });
}

const JsonValue* ConfigQueries(const config::Config& config, std::string_view database) {
  const JsonValue* db = config.DatabaseConfig(database);
  return db ? db->Find("queries") : nullptr;
}

}  // namespace

std::vector<CannedQuery> CannedQueries(const config::Config& config, std::string_view database) {
  std::vector<CannedQuery> out;
  AddQueries(out, database, ConfigQueries(config, database), false);
  SortQueries(out);
  return out;
}

std::vector<CannedQuery> CannedQueries(const Instance& instance, std::string_view database) {
  std::vector<CannedQuery> out;
  AddQueries(out, database, ConfigQueries(instance.config, database), false);
  if (instance.space_queries) {
    AddQueries(out, database, instance.space_queries(database).get(), true);
  }
  SortQueries(out);
  return out;
}

std::optional<CannedQuery> FindCannedQuery(const Instance& instance, std::string_view database,
                                           std::string_view name) {
  if (std::optional<CannedQuery> found = FindCannedQuery(instance.config, database, name)) {
    return found;
  }
  if (!instance.space_queries) return std::nullopt;
  std::shared_ptr<const JsonValue> space = instance.space_queries(database);
  const JsonValue* value = space ? space->Find(name) : nullptr;
  if (!value) return std::nullopt;
  return FromSpace(database, std::string(name), *value);
}

std::optional<CannedQuery> FindCannedQuery(const config::Config& config, std::string_view database,
                                           std::string_view name) {
  const JsonValue* db = config.DatabaseConfig(database);
  const JsonValue* queries = db ? db->Find("queries") : nullptr;
  const JsonValue* value = queries ? queries->Find(name) : nullptr;
  if (!value) return std::nullopt;
  return FromConfig(database, std::string(name), *value);
}

JsonValue CannedQueryJson(const CannedQuery& q) {
  JsonValue::Array params;
  for (const std::string& p : q.parameters) params.push_back(JsonValue::String(p));
  return JsonValue::MakeObject({
      {"database", JsonValue::String(q.database)},
      {"name", JsonValue::String(q.name)},
      {"sql", JsonValue::String(q.sql)},
      {"title", OptionalJson(q.title)},
      {"description", OptionalJson(q.description)},
      {"description_html", OptionalJson(q.description_html)},
      {"hide_sql", JsonValue::Bool(q.hide_sql)},
      {"fragment", OptionalJson(q.fragment)},
      {"parameters", JsonValue::MakeArray(std::move(params))},
      {"is_write", JsonValue::Bool(q.is_write)},
      {"is_private", JsonValue::Bool(false)},
      {"is_trusted", JsonValue::Bool(true)},
      {"source", JsonValue::String("config")},
      {"owner_id", JsonValue()},
      {"on_success_message", OptionalJson(q.on_success_message)},
      {"on_success_message_sql", OptionalJson(q.on_success_message_sql)},
      {"on_success_redirect", OptionalJson(q.on_success_redirect)},
      {"on_error_message", OptionalJson(q.on_error_message)},
      {"on_error_redirect", OptionalJson(q.on_error_redirect)},
      {"private", JsonValue::Bool(false)},
  });
}

format::JsonValue QueryListJson(const std::vector<CannedQuery>& queries, std::string_view database,
                                std::string_view color, std::string_view path, int64_t limit) {
  int64_t writable = 0;
  JsonValue::Array list;
  for (const CannedQuery& q : queries) {
    if (q.is_write) ++writable;
    if (static_cast<int64_t>(list.size()) < limit) list.push_back(CannedQueryJson(q));
  }
  int64_t read_only = static_cast<int64_t>(queries.size()) - writable;
  auto item = [&](const char* label, const char* field, int value, int64_t count) {
    return JsonValue::MakeObject(
        {{"label", JsonValue::String(label)},
         {"count", JsonValue::Int(count)},
         {"href", JsonValue::String(std::string(path) + "?" + field + "=" + std::to_string(value))},
         {"active", JsonValue::Bool(false)}});
  };
  JsonValue::Array mode;
  if (read_only) mode.push_back(item("Read-only", "is_write", 0, read_only));
  if (writable) mode.push_back(item("Writable", "is_write", 1, writable));
  JsonValue::Array visibility;
  if (!queries.empty()) {
    visibility.push_back(
        item("Not private", "is_private", 0, static_cast<int64_t>(queries.size())));
  }
  auto empty = JsonValue::String("");
  return JsonValue::MakeObject({
      {"ok", JsonValue::Bool(true)},
      {"database", database.empty() ? JsonValue() : JsonValue::String(std::string(database))},
      {"database_color", database.empty() ? JsonValue() : JsonValue::String(std::string(color))},
      {"queries", JsonValue::MakeArray(std::move(list))},
      {"next", JsonValue()},
      {"next_url", JsonValue()},
      {"limit", JsonValue::Int(limit)},
      {"show_private_note", JsonValue::Bool(false)},
      {"show_trusted_note", JsonValue::Bool(!queries.empty())},
      {"query_list_path", JsonValue::String(std::string(path))},
      {"show_database", JsonValue::Bool(database.empty())},
      {"facets",
       JsonValue::MakeArray(
           {JsonValue::MakeObject({{"title", JsonValue::String("Mode")},
                                   {"items", JsonValue::MakeArray(std::move(mode))}}),
            JsonValue::MakeObject({{"title", JsonValue::String("Visibility")},
                                   {"items", JsonValue::MakeArray(std::move(visibility))}})})},
      {"filters", JsonValue::MakeObject({{"q", empty},
                                         {"is_write", empty},
                                         {"is_private", empty},
                                         {"source", empty},
                                         {"owner_id", empty}})},
  });
}

}  // namespace almanac::api
