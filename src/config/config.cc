#include "config/config.h"

#include <array>
#include <cstddef>

namespace almanac::config {
namespace {

using format::JsonValue;

constexpr std::array<std::string_view, 10> kTableConfigKeys = {
    "hidden",       "sort",   "sort_desc", "size",   "sortable_columns",
    "label_column", "facets", "fts_table", "fts_pk", "searchmode"};

// Datasette's _config(): values under keys containing any of these are shown as "***".
constexpr std::array<std::string_view, 6> kRedactedKeyParts = {"secret", "key",  "password",
                                                               "token",  "hash", "dsn"};

// obj[key], creating an empty object there when it is missing.
JsonValue& ChildObject(JsonValue& obj, const std::string& key) {
  for (auto& [k, v] : obj.as_object()) {
    if (k == key) {
      if (!v.is_object()) v = JsonValue::MakeObject();
      return v;
    }
  }
  obj.as_object().emplace_back(key, JsonValue::MakeObject());
  return obj.as_object().back().second;
}

void RemoveKey(JsonValue& obj, std::string_view key) {
  auto& members = obj.as_object();
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->first == key) {
      members.erase(it);
      return;
    }
  }
}

JsonValue RedactValue(const JsonValue& value) {
  if (value.is_object()) {
    JsonValue::Object out;
    for (const auto& [k, v] : value.as_object()) {
      bool secret = false;
      for (std::string_view pattern : kRedactedKeyParts) {
        secret = secret || k.find(pattern) != std::string::npos;
      }
      out.emplace_back(k, secret ? JsonValue::String("***") : RedactValue(v));
    }
    return JsonValue::MakeObject(std::move(out));
  }
  if (value.is_array()) {
    JsonValue::Array out;
    for (const JsonValue& v : value.as_array()) out.push_back(RedactValue(v));
    return JsonValue::MakeArray(std::move(out));
  }
  return value;
}

std::optional<std::string> StringOption(const JsonValue* table, std::string_view key) {
  if (!table) return std::nullopt;
  const JsonValue* v = table->Find(key);
  if (v && v->is_string()) return v->as_string();
  return std::nullopt;
}

// Datasette's move_plugins_and_allow: every "plugins" and "allow" key in `source`, at any
// depth, moves to the same path in `dest` (replacing what was there). `path` is where
// `source` sits in the metadata.
void MovePluginsAndAllow(JsonValue& source, JsonValue& dest, std::vector<std::string>& path) {
  auto& members = source.as_object();
  for (size_t i = 0; i < members.size();) {
    auto& [key, value] = members[i];
    if (key == "plugins" || key == "allow") {
      JsonValue* target = &dest;
      for (const std::string& step : path) target = &ChildObject(*target, step);
      target->Set(key, std::move(value));
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (value.is_object()) {
      path.push_back(key);
      MovePluginsAndAllow(value, dest, path);
      path.pop_back();
    }
    ++i;
  }
}

// Datasette's prune_empty_dicts: drops members whose value is (or becomes) an empty object.
void PruneEmptyObjects(JsonValue& value) {
  auto& members = value.as_object();
  for (size_t i = 0; i < members.size();) {
    JsonValue& member = members[i].second;
    if (member.is_object()) {
      PruneEmptyObjects(member);
      if (member.as_object().empty()) {
        members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
    }
    ++i;
  }
}

}  // namespace

Config Config::FromDocuments(JsonValue config, JsonValue metadata) {
  Config out;
  out.config_ = config.is_object() ? std::move(config) : JsonValue::MakeObject();
  out.metadata_ = metadata.is_object() ? std::move(metadata) : JsonValue::MakeObject();
  std::vector<std::string> path;
  MovePluginsAndAllow(out.metadata_, out.config_, path);
  PruneEmptyObjects(out.metadata_);
  JsonValue* databases = nullptr;
  for (auto& [k, v] : out.metadata_.as_object()) {
    if (k == "databases" && v.is_object()) databases = &v;
  }
  if (!databases) return out;
  for (auto& [db_name, db] : databases->as_object()) {
    if (!db.is_object()) continue;
    for (auto& [k, tables] : db.as_object()) {
      if (k != "tables" || !tables.is_object()) continue;
      for (auto& [table_name, table] : tables.as_object()) {
        if (!table.is_object()) continue;
        for (std::string_view key : kTableConfigKeys) {
          const JsonValue* found = table.Find(key);
          if (!found) continue;
          JsonValue& target = ChildObject(
              ChildObject(ChildObject(ChildObject(out.config_, "databases"), db_name), "tables"),
              table_name);
          target.Set(std::string(key), *found);
          RemoveKey(table, key);
        }
      }
    }
  }
  PruneEmptyObjects(out.metadata_);
  return out;
}

const JsonValue* Config::DatabaseConfig(std::string_view db) const {
  const JsonValue* databases = config_.Find("databases");
  return databases ? databases->Find(db) : nullptr;
}

const JsonValue* Config::TableConfig(std::string_view db, std::string_view table) const {
  const JsonValue* database = DatabaseConfig(db);
  const JsonValue* tables = database ? database->Find("tables") : nullptr;
  return tables ? tables->Find(table) : nullptr;
}

TableOptions Config::Table(std::string_view db, std::string_view table) const {
  TableOptions options;
  const JsonValue* t = TableConfig(db, table);
  if (!t) return options;
  options.sort = StringOption(t, "sort");
  options.sort_desc = StringOption(t, "sort_desc");
  options.label_column = StringOption(t, "label_column");
  options.fts_table = StringOption(t, "fts_table");
  options.fts_pk = StringOption(t, "fts_pk");
  options.searchmode = StringOption(t, "searchmode");
  if (const JsonValue* size = t->Find("size"); size && size->is_int()) {
    options.size = size->as_int();
  }
  if (const JsonValue* cols = t->Find("sortable_columns"); cols && cols->is_array()) {
    std::vector<std::string> names;
    for (const JsonValue& c : cols->as_array()) {
      if (c.is_string()) names.push_back(c.as_string());
    }
    options.sortable_columns = std::move(names);
  }
  if (const JsonValue* hidden = t->Find("hidden")) options.hidden = hidden->Truthy();
  options.facets = t->Find("facets");
  return options;
}

const JsonValue* Config::DatabaseMetadata(std::string_view db) const {
  const JsonValue* databases = metadata_.Find("databases");
  return databases ? databases->Find(db) : nullptr;
}

const JsonValue* Config::TableMetadata(std::string_view db, std::string_view table) const {
  const JsonValue* database = DatabaseMetadata(db);
  const JsonValue* tables = database ? database->Find("tables") : nullptr;
  return tables ? tables->Find(table) : nullptr;
}

JsonValue Config::Redacted() const { return RedactValue(config_); }

}  // namespace almanac::config
