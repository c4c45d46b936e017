#include "http/router.h"

#include <gtest/gtest.h>

namespace almanac::http {
namespace {

void ExpectRoute(std::string_view path, RouteKind kind, std::string database = "",
                 std::string table = "", std::string pks = "", std::string format = "",
                 std::string name = "") {
  Route r = MatchRoute(path);
  EXPECT_EQ(r.kind, kind) << path;
  if (kind == RouteKind::kNotFound) return;  // the other fields mean nothing then
  EXPECT_EQ(r.database, database) << path;
  EXPECT_EQ(r.table, table) << path;
  EXPECT_EQ(r.pks, pks) << path;
  EXPECT_EQ(r.format, format) << path;
  EXPECT_EQ(r.name, name) << path;
}

TEST(MatchRoute, Index) {
  ExpectRoute("/", RouteKind::kIndex);
  ExpectRoute("/.json", RouteKind::kIndex, "", "", "", "json");
  ExpectRoute("/-/", RouteKind::kIndex);
  ExpectRoute("/-/.json", RouteKind::kIndex, "", "", "", "json");
  ExpectRoute("/-", RouteKind::kRedirectDash);
  ExpectRoute("", RouteKind::kNotFound);
  ExpectRoute("fixtures", RouteKind::kNotFound);
}

TEST(MatchRoute, SpecialPages) {
  ExpectRoute("/-/versions.json", RouteKind::kSpecial, "", "", "", "json", "versions");
  ExpectRoute("/-/versions", RouteKind::kSpecial, "", "", "", "", "versions");
  ExpectRoute("/-/settings.json", RouteKind::kSpecial, "", "", "", "json", "settings");
  ExpectRoute("/-/databases.json", RouteKind::kSpecial, "", "", "", "json", "databases");
  ExpectRoute("/-/actor.json", RouteKind::kSpecial, "", "", "", "json", "actor");
  ExpectRoute("/-/schema.md", RouteKind::kSpecial, "", "", "", "md", "schema");
  ExpectRoute("/-/auth-token", RouteKind::kSpecial, "", "", "", "", "auth-token");
  ExpectRoute("/-/debug/autocomplete", RouteKind::kSpecial, "", "", "", "", "debug/autocomplete");
  ExpectRoute("/-/static/app.css", RouteKind::kStatic, "", "", "", "", "app.css");
  // Datasette's /-/versions(\.json)? does not take .csv: the path falls through to the
  // table pattern with a database named "-".
  ExpectRoute("/-/versions.csv", RouteKind::kTable, "-", "versions", "", "csv");
  // HTML-only pages have no .json twin.
  ExpectRoute("/-/auth-token.json", RouteKind::kTable, "-", "auth-token", "", "json");
  ExpectRoute("/-/schema.csv", RouteKind::kTable, "-", "schema", "", "csv");
  ExpectRoute("/-/nope.json", RouteKind::kTable, "-", "nope", "", "json");
}

TEST(MatchRoute, Databases) {
  ExpectRoute("/fixtures", RouteKind::kDatabase, "fixtures");
  ExpectRoute("/fixtures.json", RouteKind::kDatabase, "fixtures", "", "", "json");
  ExpectRoute("/fixtures.csv", RouteKind::kDatabase, "fixtures", "", "", "csv");
  ExpectRoute("/fixtures.db", RouteKind::kDatabaseDownload, "fixtures");
  ExpectRoute("/extra+database.json", RouteKind::kDatabase, "extra+database", "", "", "json");
  ExpectRoute("/fixtures.json.json", RouteKind::kNotFound);
  ExpectRoute("/fix.tures.json", RouteKind::kNotFound);
  ExpectRoute("/fixtures.", RouteKind::kNotFound);
}

TEST(MatchRoute, QueriesAndDatabaseActions) {
  ExpectRoute("/fixtures/-/query", RouteKind::kQuery, "fixtures");
  ExpectRoute("/fixtures/-/query.json", RouteKind::kQuery, "fixtures", "", "", "json");
  ExpectRoute("/fixtures/-/query.csv", RouteKind::kQuery, "fixtures", "", "", "csv");
  ExpectRoute("/fixtures/-/queries.json", RouteKind::kDatabaseAction, "fixtures", "", "", "json",
              "queries");
  ExpectRoute("/fixtures/-/schema.md", RouteKind::kDatabaseAction, "fixtures", "", "", "md",
              "schema");
  ExpectRoute("/fixtures/-/create", RouteKind::kDatabaseAction, "fixtures", "", "", "", "create");
  ExpectRoute("/fixtures/-/queries/analyze", RouteKind::kDatabaseAction, "fixtures", "", "", "",
              "queries/analyze");
  ExpectRoute("/fixtures/-/query/parameters", RouteKind::kDatabaseAction, "fixtures", "", "", "",
              "query/parameters");
  ExpectRoute("/fixtures/neighborhood_search/-/definition", RouteKind::kQueryAction, "fixtures",
              "neighborhood_search", "", "", "definition");
  // An unknown /-/ name is a row of a table called "-", as Datasette's patterns make it.
  ExpectRoute("/fixtures/-/nope", RouteKind::kRow, "fixtures", "-", "nope");
}

TEST(MatchRoute, Tables) {
  ExpectRoute("/fixtures/facetable", RouteKind::kTable, "fixtures", "facetable");
  ExpectRoute("/fixtures/facetable.json", RouteKind::kTable, "fixtures", "facetable", "", "json");
  ExpectRoute("/fixtures/facetable.csv", RouteKind::kTable, "fixtures", "facetable", "", "csv");
  ExpectRoute("/fixtures/table~2Fwith~2Fslashes~2Ecsv", RouteKind::kTable, "fixtures",
              "table~2Fwith~2Fslashes~2Ecsv");
  ExpectRoute("/fixtures/table~2Fwith~2Fslashes~2Ecsv.json", RouteKind::kTable, "fixtures",
              "table~2Fwith~2Fslashes~2Ecsv", "", "json");
  ExpectRoute("/extra+database/searchable.json", RouteKind::kTable, "extra+database", "searchable",
              "", "json");
  ExpectRoute("/fixtures/facetable.json.json", RouteKind::kNotFound);
  ExpectRoute("/fixtures/", RouteKind::kNotFound);
  ExpectRoute("/fix.tures/facetable", RouteKind::kNotFound);
}

TEST(MatchRoute, Rows) {
  ExpectRoute("/fixtures/simple_primary_key/1", RouteKind::kRow, "fixtures", "simple_primary_key",
              "1");
  ExpectRoute("/fixtures/simple_primary_key/1.json", RouteKind::kRow, "fixtures",
              "simple_primary_key", "1", "json");
  ExpectRoute("/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json", RouteKind::kRow, "fixtures",
              "compound_primary_key", "a~2Fb,~2Ec-d", "json");
  ExpectRoute("/fixtures/compound_three_primary_keys/a,a,a.json", RouteKind::kRow, "fixtures",
              "compound_three_primary_keys", "a,a,a", "json");
  // `(?P<pks>[^/]+?)(\.(?P<format>\w+))?$`: the shortest pks that leaves one .format.
  ExpectRoute("/fixtures/t/1.5.json", RouteKind::kRow, "fixtures", "t", "1.5", "json");
  ExpectRoute("/fixtures/t/1.5", RouteKind::kRow, "fixtures", "t", "1", "5");
  ExpectRoute("/fixtures/t/a.b.c", RouteKind::kRow, "fixtures", "t", "a.b", "c");
  ExpectRoute("/fixtures/t/1.json.json", RouteKind::kRow, "fixtures", "t", "1.json", "json");
  ExpectRoute("/fixtures/t/.json", RouteKind::kRow, "fixtures", "t", ".json");
  // Row tables may contain dots (the pattern is [^/]+?).
  ExpectRoute("/fixtures/ta.ble/1", RouteKind::kRow, "fixtures", "ta.ble", "1");
  ExpectRoute("/fixtures/facetable/", RouteKind::kNotFound);
  ExpectRoute("/fixtures//1", RouteKind::kNotFound);
}

TEST(MatchRoute, TableAndRowActions) {
  ExpectRoute("/fixtures/facetable/-/insert", RouteKind::kTableAction, "fixtures", "facetable", "",
              "", "insert");
  ExpectRoute("/fixtures/facetable/-/upsert", RouteKind::kTableAction, "fixtures", "facetable", "",
              "", "upsert");
  ExpectRoute("/fixtures/facetable/-/schema.json", RouteKind::kTableAction, "fixtures", "facetable",
              "", "json", "schema");
  ExpectRoute("/fixtures/facetable/1/-/delete", RouteKind::kRowAction, "fixtures", "facetable", "1",
              "", "delete");
  ExpectRoute("/fixtures/facetable/a,b/-/update", RouteKind::kRowAction, "fixtures", "facetable",
              "a,b", "", "update");
  ExpectRoute("/fixtures/facetable/-/nope", RouteKind::kNotFound);
  ExpectRoute("/fixtures/facetable/1/-/nope", RouteKind::kNotFound);
  ExpectRoute("/a/b/c/d/e/f", RouteKind::kNotFound);
}

}  // namespace
}  // namespace almanac::http
