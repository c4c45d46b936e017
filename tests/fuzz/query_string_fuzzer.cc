// libFuzzer target: random query strings through the table page's argument parsing and SQL
// builders (filters, search, _where, _through, sort, _col/_nocol, keyset _next, facets,
// facet suggestions, counts). Input: the first byte picks a table of a schema shaped like
// Datasette's fixtures (odd names included), the rest is the query string. For every query
// built, the oracle checks:
//   - it prepares against the schema (builder SQL always must; SQL holding a ?_where=
//     fragment may fail, since the user wrote part of it), as exactly one statement;
//   - its "?" placeholders and its parameters match one for one, and nothing else binds;
//   - it is read-only (sqlite3_stmt_readonly), and the authorizer saw no write of any kind;
//   - every table and column SQLite reads for builder SQL is in the schema.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "api/context.h"
#include "api/facets.h"
#include "api/table.h"
#include "auth/permissions.h"
#include "config/config.h"
#include "config/settings.h"
#include "core/url.h"
#include "db/database.h"
#include "format/json_value.h"
#include "sql/facet_sql.h"
#include "sql/table_select.h"

namespace {

using namespace almanac;  // NOLINT(google-build-using-namespace): a test driver

constexpr const char* kSchema = R"sql(
create table facet_cities (id integer primary key, name text);
create table facetable (pk integer primary key, created text, planet_int integer,
  on_earth integer, state text, _city_id integer references facet_cities(id),
  _neighborhood text, tags text, complex_array text, distinct_some_null, n text);
create table sortable (pk1 varchar(30), pk2 varchar(30), content text, sortable integer,
  sortable_with_nulls real, sortable_with_nulls_2 real, text text, primary key (pk1, pk2));
create table no_primary_key (content text, a text, b text, c text);
create table "select" ("group" text, "having" text, "and" text, json text);
create table "table/with""quotes.csv" ("col ""one""" text, "?x" integer, "a]b" text, `back``tick` text);
create table searchable (pk integer primary key, text1 text, text2 text,
  [name with . and spaces] text);
create virtual table searchable_fts using fts5 (text1, text2, [name with . and spaces],
  content="searchable", content_rowid="pk");
create table searchable_tags (searchable_id integer references searchable(pk), tag text,
  primary key (searchable_id, tag));
create table roadside_attractions (pk integer primary key, name text, address text);
create table attraction_characteristic (pk integer primary key, name text);
create table roadside_attraction_characteristics (
  attraction_id integer references roadside_attractions(pk),
  characteristic_id integer references attraction_characteristic(pk));
create table without_rowid_table (k text primary key, v text) without rowid;
create view simple_view as select content, upper(content) as upper_content from no_primary_key;
create index idx_state on facetable(state);
insert into facet_cities values (1, 'San Francisco'), (2, 'Detroit');
insert into facetable (pk, created, state, _city_id, tags) values
  (1, '2019-01-14 08:00:00', 'CA', 1, '["tag1", "tag2"]'), (2, '2019-01-15', 'MI', 2, '[]');
)sql";

constexpr const char* kTables[] = {"facetable",
                                   "sortable",
                                   "no_primary_key",
                                   "select",
                                   "table/with\"quotes.csv",
                                   "searchable",
                                   "searchable_fts",
                                   "roadside_attractions",
                                   "roadside_attraction_characteristics",
                                   "without_rowid_table",
                                   "simple_view",
                                   "facet_cities"};

void Check(bool ok, const char* what, const std::string& sql) {
  if (ok) return;
  fprintf(stderr, "oracle failed: %s\nSQL: %s\n", what, sql.c_str());
  std::abort();
}

// SQLite names are case-insensitive (for ASCII letters).
std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

struct World {
  db::Registry registry;
  config::Settings settings;
  config::Config config;
  std::unique_ptr<auth::PermissionEngine> permissions;
  std::unique_ptr<api::Instance> instance;
  sqlite3* checker = nullptr;  // prepares the built SQL under the oracle's authorizer
  std::set<std::pair<std::string, std::string>> columns;  // (table, column) in the schema
  std::set<std::string> tables;
};

struct Seen {
  bool wrote = false;
  std::vector<std::pair<std::string, std::string>> reads;
};

int Authorize(void* user, int action, const char* a, const char* b, const char*, const char*) {
  auto* seen = static_cast<Seen*>(user);
  switch (action) {
    case SQLITE_READ:
      seen->reads.emplace_back(a ? a : "", b ? b : "");
      return SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_UPDATE:  // FTS and pragma functions make SQLite check sqlite_master
      if (a &&
          (std::string_view(a) == "sqlite_master" || std::string_view(a) == "sqlite_temp_master")) {
        return SQLITE_OK;
      }
      seen->wrote = true;
      return SQLITE_DENY;
    default:
      seen->wrote = true;
      return SQLITE_DENY;
  }
}

World& GetWorld() {
  static World* world = [] {
    auto* w = new World();
    db::DatabaseOptions options;
    options.name = "fixtures";
    options.path = "query_string_fuzzer";
    options.memory = true;
    Result<std::unique_ptr<db::Database>> database = db::Database::Open(options);
    Check(database.ok(), "open the database", "");
    Check((*database)->writer().Exec(kSchema).ok(), "create the schema", kSchema);
    Check(w->registry.Add(std::move(database).value()).ok(), "register", "");
    format::JsonValue metadata = format::JsonValue::MakeObject();
    Result<format::JsonValue> parsed = format::ParseJson(R"({"databases": {"fixtures": {"tables": {
        "sortable": {"sortable_columns": ["sortable", "text", "sortable_with_nulls"]},
        "facetable": {"facets": ["state", {"array": "tags"}], "label_column": "state"},
        "simple_view": {"fts_table": "searchable_fts", "fts_pk": "content"}}}}})");
    if (parsed.ok()) metadata = *parsed;
    w->config = config::Config::FromDocuments(format::JsonValue::MakeObject(), metadata);
    w->permissions =
        std::make_unique<auth::PermissionEngine>(w->config, w->settings, auth::PermissionOptions{});
    w->instance = std::make_unique<api::Instance>(
        api::Instance{w->registry, w->settings, w->config, *w->permissions, "fuzz"});
    Check(sqlite3_open_v2("file:query_string_fuzzer?mode=memory&cache=shared", &w->checker,
                          SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK,
          "open the checker", "");
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(w->checker,
                       "select m.name, p.name from sqlite_master m, pragma_table_xinfo(m.name) p "
                       "where m.type in ('table', 'view')",
                       -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string t = Lower(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      w->tables.insert(t);
      w->columns.emplace(t, Lower(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))));
    }
    sqlite3_finalize(stmt);
    return w;
  }();
  return *world;
}

bool InSchema(const World& w, const std::string& table, const std::string& column) {
  std::string t = Lower(table);
  std::string c = Lower(column);
  if (c.empty() || c == "rowid") return w.tables.count(t) > 0 || t.empty();
  return w.columns.count({t, c}) > 0;
}

void CheckQuery(World& w, const sql::Query& query) {
  Seen seen;
  sqlite3_set_authorizer(w.checker, &Authorize, &seen);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(w.checker, query.text.c_str(), static_cast<int>(query.text.size()),
                              &stmt, &tail);
  sqlite3_set_authorizer(w.checker, nullptr, nullptr);
  if (!query.has_user_sql) {
    Check(rc == SQLITE_OK, sqlite3_errmsg(w.checker), query.text);
  } else if (rc != SQLITE_OK) {
    Check(!seen.wrote || stmt == nullptr, "user SQL prepared a write", query.text);
    return;
  }
  Check(stmt != nullptr, "an empty statement", query.text);
  Check(tail == query.text.c_str() + query.text.size(), "more than one statement", query.text);
  Check(sqlite3_bind_parameter_count(stmt) == static_cast<int>(query.params.size()),
        "placeholders and parameters differ", query.text);
  for (int i = 1; i <= sqlite3_bind_parameter_count(stmt); ++i) {
    Check(sqlite3_bind_parameter_name(stmt, i) == nullptr, "a named parameter", query.text);
  }
  Check(sqlite3_stmt_readonly(stmt) != 0, "not read-only", query.text);
  Check(!seen.wrote, "the authorizer saw a write", query.text);
  if (!query.has_user_sql) {
    for (const auto& [table, column] : seen.reads) {
      // json_each and FTS reads come from their virtual tables, which are schema objects too;
      // SQLite reads sqlite_master itself when it sets up the json_each table function.
      if (table == "json_each" || table.starts_with("searchable_fts")) continue;
      if (table == "sqlite_master" && query.text.find("json_each(") != std::string::npos) continue;
      Check(InSchema(w, table, column),
            ("read outside the schema: " + table + "." + column).c_str(), query.text);
    }
  }
  sqlite3_finalize(stmt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  World& w = GetWorld();
  const char* table = kTables[data[0] % (sizeof kTables / sizeof kTables[0])];
  api::Request request;
  request.path = std::string("/fixtures/") + TildeEncode(table) + ".json";
  request.query_string.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  request.args = ParseQueryString(request.query_string);
  request.host = "localhost";

  Result<api::TableQueryPlan> plan = api::PlanTableQuery(*w.instance, request, "fixtures", table);
  if (!plan.ok()) return 0;  // a refused request builds no SQL
  const sql::TableSelect& select = plan->select;
  CheckQuery(w, sql::BuildSelect(select));
  CheckQuery(w, sql::BuildCappedCount(select, 10001));
  CheckQuery(w, sql::BuildInnerSelect(select));

  sql::FacetSource source;
  source.table = select.table;
  source.where = sql::WhereOnly(select);
  source.inner = sql::BuildInnerSelect(select);
  Result<std::vector<api::FacetConfig>> configs =
      api::LoadFacetConfigs(request, plan->options, *plan->resolved.table);
  if (configs.ok()) {
    for (const api::FacetConfig& c : *configs) {
      sql::Identifier column = sql::Identifier::FromSchema(c.column);
      CheckQuery(w, sql::BuildFacetQuery(c.kind, source, column, 31));
      CheckQuery(w, sql::BuildSuggestQuery(c.kind, source, column, 31));
      if (c.kind != sql::FacetKind::kArray && !plan->resolved.table->is_view() &&
          !plan->resolved.table->without_rowid) {
        CheckQuery(w, sql::BuildFacetChunkQuery(c.kind, source, column, 1, 1000));
      }
    }
  }
  CheckQuery(w, sql::BuildSuggestRowCount(source));
  return 0;
}
