// Canned queries: the `queries:` blocks of the config, per database, as Datasette 1.0a37
// describes them (stored-query objects with source "config", trusted, sorted by title/name).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "format/json_value.h"

namespace almanac::api {

struct Instance;

struct CannedQuery {
  std::string database;
  std::string name;
  std::string sql;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> description_html;
  bool hide_sql = false;
  std::optional<std::string> fragment;
  std::vector<std::string> parameters;  // declared `params:`
  bool is_write = false;
  std::optional<std::string> on_success_message;
  std::optional<std::string> on_success_message_sql;
  std::optional<std::string> on_success_redirect;
  std::optional<std::string> on_error_message;
  std::optional<std::string> on_error_redirect;
};

// The canned queries of `database`, sorted by lower(title or name), then name.
std::vector<CannedQuery> CannedQueries(const config::Config& config, std::string_view database);
std::optional<CannedQuery> FindCannedQuery(const config::Config& config, std::string_view database,
                                           std::string_view name);
// The same for a server: its config's, then (hosting mode) its space's own
// (Instance::space_queries); a config query hides a space query of the same name.
std::vector<CannedQuery> CannedQueries(const Instance& instance, std::string_view database);
std::optional<CannedQuery> FindCannedQuery(const Instance& instance, std::string_view database,
                                           std::string_view name);

// The stored-query object Datasette returns for one query.
format::JsonValue CannedQueryJson(const CannedQuery& query);

// /<db>/-/queries.json: the query list with its Mode / Visibility facets. `color` is the
// database colour; `path` is the list's URL path ("/fixtures/-/queries"). An empty `database`
// is /-/queries.json, the list across every database (database and colour null).
// At most `limit` queries are listed (the `_size`).
format::JsonValue QueryListJson(const std::vector<CannedQuery>& queries, std::string_view database,
                                std::string_view color, std::string_view path, int64_t limit);

}  // namespace almanac::api
