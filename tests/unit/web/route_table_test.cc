#include "web/route_table.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace almanac::web {
namespace {

std::optional<RouteMatch> Match(std::string_view path) {
  return MatchRoute(path, [](std::string_view p) { return p.starts_with("/assets/"); });
}

// The pattern of the row `path` matches ("" for none), and what it captured.
void ExpectRoute(std::string_view path, std::string_view pattern, std::string database = "",
                 std::string table = "", std::string pks = "", std::string format = "") {
  std::optional<RouteMatch> m = Match(path);
  ASSERT_EQ(m ? m->row->pattern.text() : "", pattern) << path;
  if (!m) return;
  EXPECT_EQ(m->route.database, database) << path;
  EXPECT_EQ(m->route.table, table) << path;
  EXPECT_EQ(m->route.pks, pks) << path;
  EXPECT_EQ(m->route.format, format) << path;
}

TEST(MatchRoute, Index) {
  ExpectRoute("/", "/(.json)");
  ExpectRoute("/.json", "/(.json)", "", "", "", "json");
  ExpectRoute("/-/", "/-/(.json)");
  ExpectRoute("/-/.json", "/-/(.json)", "", "", "", "json");
  ExpectRoute("/-", "/-");
  ExpectRoute("", "");
  ExpectRoute("fixtures", "");
}

TEST(MatchRoute, SpecialPages) {
  ExpectRoute("/-/versions.json", "/-/versions(.json)", "", "", "", "json");
  ExpectRoute("/-/versions", "/-/versions(.json)");
  ExpectRoute("/-/schema.md", "/-/schema(.json|.md)", "", "", "", "md");
  ExpectRoute("/-/auth-token", "/-/auth-token");
  ExpectRoute("/-/debug/autocomplete", "/-/debug/autocomplete");
  ExpectRoute("/-/static/app.css", "/-/static/<path*>");
  EXPECT_EQ(Match("/-/static/app.css")->route.rest, "app.css");
  EXPECT_EQ(Match("/-/versions")->route.name, "versions");
  // Datasette's /-/versions(\.json)? does not take .csv: the path falls through to the
  // table pattern with a database named "-".
  ExpectRoute("/-/versions.csv", "/<db>/<table>(.<format>)", "-", "versions", "", "csv");
  // HTML-only pages have no .json twin.
  ExpectRoute("/-/auth-token.json", "/<db>/<table>(.<format>)", "-", "auth-token", "", "json");
  ExpectRoute("/-/schema.csv", "/<db>/<table>(.<format>)", "-", "schema", "", "csv");
  ExpectRoute("/-/nope.json", "/<db>/<table>(.<format>)", "-", "nope", "", "json");
  ExpectRoute("/:memory:/t?x", "/:memory:<rest*>");
  EXPECT_EQ(Match("/:memory:/t")->route.rest, "/t");
}

TEST(MatchRoute, StaticMountsOnlyWhereMounted) {
  ExpectRoute("/assets/site.css", "/<path*>");
  EXPECT_EQ(Match("/assets/site.css")->route.rest, "assets/site.css");
  ExpectRoute("/other/site.css", "/<db>/<table>(.<format>)", "other", "site", "", "css");
}

TEST(MatchRoute, Databases) {
  ExpectRoute("/fixtures", "/<db>(.<format>)", "fixtures");
  ExpectRoute("/fixtures.json", "/<db>(.<format>)", "fixtures", "", "", "json");
  ExpectRoute("/fixtures.csv", "/<db>(.<format>)", "fixtures", "", "", "csv");
  ExpectRoute("/fixtures.db", "/<db>.db", "fixtures");
  ExpectRoute("/extra+database.json", "/<db>(.<format>)", "extra+database", "", "", "json");
  ExpectRoute("/fixtures.json.json", "");
  ExpectRoute("/fix.tures.json", "");
  ExpectRoute("/fixtures.", "");
}

TEST(MatchRoute, QueriesAndDatabaseActions) {
  ExpectRoute("/fixtures/-/query", "/<db>/-/query(.<format>)", "fixtures");
  ExpectRoute("/fixtures/-/query.json", "/<db>/-/query(.<format>)", "fixtures", "", "", "json");
  ExpectRoute("/fixtures/-/query.csv", "/<db>/-/query(.<format>)", "fixtures", "", "", "csv");
  ExpectRoute("/fixtures/-/queries.json", "/<db>/-/queries(.json)", "fixtures", "", "", "json");
  ExpectRoute("/fixtures/-/schema.md", "/<db>/-/schema(.json|.md)", "fixtures", "", "", "md");
  ExpectRoute("/fixtures/-/create", "/<db>/-/create", "fixtures");
  ExpectRoute("/fixtures/-/queries/analyze", "/<db>/-/queries/analyze", "fixtures");
  ExpectRoute("/fixtures/-/query/parameters", "/<db>/-/query/parameters", "fixtures");
  ExpectRoute("/fixtures/neighborhood_search/-/definition", "/<db>/<query>/-/definition",
              "fixtures", "neighborhood_search");
  // An unknown /-/ name is a row of a table called "-", as Datasette's patterns make it.
  ExpectRoute("/fixtures/-/nope", "/<db>/<table:any>/<pks:any>(.<format>)", "fixtures", "-",
              "nope");
}

TEST(MatchRoute, Tables) {
  const char* kTable = "/<db>/<table>(.<format>)";
  ExpectRoute("/fixtures/facetable", kTable, "fixtures", "facetable");
  ExpectRoute("/fixtures/facetable.json", kTable, "fixtures", "facetable", "", "json");
  ExpectRoute("/fixtures/facetable.csv", kTable, "fixtures", "facetable", "", "csv");
  ExpectRoute("/fixtures/table~2Fwith~2Fslashes~2Ecsv", kTable, "fixtures",
              "table~2Fwith~2Fslashes~2Ecsv");
  ExpectRoute("/fixtures/table~2Fwith~2Fslashes~2Ecsv.json", kTable, "fixtures",
              "table~2Fwith~2Fslashes~2Ecsv", "", "json");
  ExpectRoute("/extra+database/searchable.json", kTable, "extra+database", "searchable", "",
              "json");
  ExpectRoute("/fixtures/facetable.json.json", "");
  ExpectRoute("/fixtures/", "");
  ExpectRoute("/fix.tures/facetable", "");
}

TEST(MatchRoute, Rows) {
  const char* kRow = "/<db>/<table:any>/<pks:any>(.<format>)";
  ExpectRoute("/fixtures/simple_primary_key/1", kRow, "fixtures", "simple_primary_key", "1");
  ExpectRoute("/fixtures/simple_primary_key/1.json", kRow, "fixtures", "simple_primary_key", "1",
              "json");
  ExpectRoute("/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json", kRow, "fixtures",
              "compound_primary_key", "a~2Fb,~2Ec-d", "json");
  ExpectRoute("/fixtures/compound_three_primary_keys/a,a,a.json", kRow, "fixtures",
              "compound_three_primary_keys", "a,a,a", "json");
  // `(?P<pks>[^/]+?)(\.(?P<format>\w+))?$`: the shortest pks that leaves one .format.
  ExpectRoute("/fixtures/t/1.5.json", kRow, "fixtures", "t", "1.5", "json");
  ExpectRoute("/fixtures/t/1.5", kRow, "fixtures", "t", "1", "5");
  ExpectRoute("/fixtures/t/a.b.c", kRow, "fixtures", "t", "a.b", "c");
  ExpectRoute("/fixtures/t/1.json.json", kRow, "fixtures", "t", "1.json", "json");
  ExpectRoute("/fixtures/t/.json", kRow, "fixtures", "t", ".json");
  // Row tables may contain dots (the pattern is [^/]+?).
  ExpectRoute("/fixtures/ta.ble/1", kRow, "fixtures", "ta.ble", "1");
  ExpectRoute("/fixtures/facetable/", "");
  ExpectRoute("/fixtures//1", "");
}

TEST(MatchRoute, TableAndRowActions) {
  ExpectRoute("/fixtures/facetable/-/insert", "/<db>/<table>/-/insert", "fixtures", "facetable");
  ExpectRoute("/fixtures/facetable/-/upsert", "/<db>/<table>/-/upsert", "fixtures", "facetable");
  ExpectRoute("/fixtures/facetable/-/schema.json", "/<db>/<table>/-/schema(.json|.md)", "fixtures",
              "facetable", "", "json");
  ExpectRoute("/fixtures/facetable/1/-/delete", "/<db>/<table:any>/<pks:any>/-/delete", "fixtures",
              "facetable", "1");
  ExpectRoute("/fixtures/facetable/a,b/-/update", "/<db>/<table:any>/<pks:any>/-/update",
              "fixtures", "facetable", "a,b");
  ExpectRoute("/fixtures/facetable/-/nope", "");
  ExpectRoute("/fixtures/facetable/1/-/nope", "");
  ExpectRoute("/a/b/c/d/e/f", "");
}

TEST(RouteTable, MethodsAreChecked) {
  EXPECT_TRUE(RowTakes(*Match("/fixtures/facetable/-/insert")->row, "POST"));
  EXPECT_FALSE(RowTakes(*Match("/fixtures/facetable/-/insert")->row, "GET"));
  EXPECT_TRUE(RowTakes(*Match("/fixtures/facetable/1")->row, "HEAD"));
  EXPECT_FALSE(RowTakes(*Match("/fixtures/facetable/1")->row, "POST"));
  EXPECT_FALSE(RowTakes(*Match("/")->row, "DELETE"));
}

TEST(RoutePattern, MalformedPatternsAreRejected) {
  EXPECT_THROW(RoutePattern("/<db"), std::invalid_argument);
  EXPECT_THROW(RoutePattern("/<nope>"), std::invalid_argument);
  EXPECT_THROW(RoutePattern("/<db>(.json)/x"), std::invalid_argument);
}

// Every route is documented in docs/routes.md (as `pattern` in its table), and the docs list
// no route the table lacks.
TEST(RouteTable, EveryRouteIsInTheDocs) {
  std::ifstream file(std::string(ALM_SOURCE_DIR) + "/docs/routes.md");
  ASSERT_TRUE(file) << "docs/routes.md is missing";
  std::stringstream text;
  text << file.rdbuf();
  std::set<std::string> documented;
  std::regex row(R"(^\| *[A-Z, ]+ *\| *`([^`]+)` *\|)");
  std::string line;
  while (std::getline(text, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    // A "|" inside a Markdown table cell is written "\|".
    documented.insert(std::regex_replace(m[1].str(), std::regex(R"(\\\|)"), "|"));
  }
  std::set<std::string> served;
  for (const RouteRow& r : RouteTable()) {
    served.insert(r.pattern.text());
    EXPECT_TRUE(documented.count(r.pattern.text())) << r.pattern.text() << " is not in the docs";
  }
  for (const std::string& d : documented) {
    EXPECT_TRUE(served.count(d)) << d << " is documented but not in the route table";
  }
}

}  // namespace
}  // namespace almanac::web
