// The renderer on hand-made page models: the table page shows the query engine's count,
// facets (with one bar per value, proportional to its count), labels and search box, and
// escapes what the models carry.
#include "ui/renderer.h"

#include <regex>

#include <gtest/gtest.h>

namespace almanac::ui {
namespace {

class RendererTest : public ::testing::Test {
 protected:
  db::Registry registry;
  config::Settings settings;
  config::Config config;
  auth::PermissionEngine permissions{config, settings, {}};
  api::Instance instance{registry, settings, config, permissions, "test"};
  api::Request request;
  Renderer renderer{Assets()};

  std::string Render(const api::TablePage& page) {
    return renderer.Table(page, RenderContext{instance, request, "http://x/db/t.json"});
  }
};

api::TablePage StatesPage() {
  api::TablePage page;
  page.database = "db";
  page.table = "t";
  page.primary_keys = {"id"};
  page.rows.columns = {"id", "state", "city_id"};
  page.rows.cells = {Value::Integer(1), Value::Text("CA"), Value::Integer(7)};
  page.all_columns = page.rows.columns;
  page.sortable_columns = page.rows.columns;
  for (const std::string& c : page.rows.columns) {
    page.display_columns.push_back({c, true, c == "id", "", false, std::nullopt});
  }
  page.allow_execute_sql = true;
  page.count = 15;
  page.human_description_en = "where state = \"CA\"";
  api::FacetResult facet;
  facet.name = "state";
  facet.type = "column";
  facet.toggle_url = "/db/t";
  facet.results = {{Value::Text("CA"), Value::Text("CA"), 10, "http://x/db/t?state=CA", true},
                   {Value::Text("<MI>"), Value::Text("<MI>"), 5, "http://x/db/t?state=MI", false}};
  page.facet_results.push_back(facet);
  return page;
}

TEST_F(RendererTest, FacetBarsMatchTheCounts) {
  std::string html = Render(StatesPage());
  std::regex bar(
      R"re(<rect class="bar( selected)?" x="0" y="[0-9.]+" width="([0-9.]+)" height="14.0" role="img" aria-label="([^"]+)" data-value="([^"]*)" data-count="([0-9]+)">)re");
  std::vector<std::smatch> bars;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), bar); it != std::sregex_iterator();
       ++it) {
    bars.push_back(*it);
  }
  ASSERT_EQ(bars.size(), 2u) << html;
  EXPECT_EQ(bars[0][2], "100.0");
  EXPECT_EQ(bars[0][3], "CA: 10 rows");
  EXPECT_EQ(bars[0][1], " selected");
  EXPECT_EQ(bars[1][2], "50.0");
  EXPECT_EQ(bars[1][3], "&lt;MI&gt;: 5 rows");
  EXPECT_EQ(bars[1][4], "&lt;MI&gt;");
  EXPECT_NE(html.find("<title>CA: 10 rows</title>"), std::string::npos);
}

TEST_F(RendererTest, CountDescriptionAndSearch) {
  api::TablePage page = StatesPage();
  page.supports_search = true;
  page.search = "\"x\"";
  std::string html = Render(page);
  EXPECT_NE(html.find("15 rows where state = &quot;CA&quot;"), std::string::npos);
  EXPECT_NE(html.find("name=\"_search\" value=\"&quot;x&quot;\""), std::string::npos);
  EXPECT_EQ(html.find("count all"), std::string::npos);
}

TEST_F(RendererTest, CappedCountsOfferCountAll) {
  api::TablePage page = StatesPage();
  page.count = 10001;
  page.count_truncated = true;
  page.count_sql = "select count(*) from t where state = :p0";
  page.query_params = {{"p0", Value::Text("CA")}};
  std::string html = Render(page);
  EXPECT_NE(html.find("&gt;10,000 rows"), std::string::npos) << html;
  EXPECT_NE(
      html.find(
          "href=\"/db/-/query?sql=select+count%28%2A%29+from+t+where+state+%3D+%3Ap0&amp;p0=CA\""),
      std::string::npos);
}

// The filter form, the sort controls and the SQL link come from the model, whatever the URL
// says (the query engine has already read it, and applied the table's default sort).
TEST_F(RendererTest, FiltersSortAndSqlLinkComeFromTheModel) {
  api::TablePage page = StatesPage();
  page.filters = {{"state", "exact", "CA"}, {"city_id", "gt", "3"}};
  page.sort_desc = "city_id";
  page.query_sql = "select id, state, city_id from t where state = :p0 and city_id > :p1";
  page.query_params = {{"p0", Value::Text("CA")}, {"p1", Value::Text("3")}};
  std::string html = Render(page);
  EXPECT_NE(html.find("name=\"_filter_value_1\" class=\"filter-value\" value=\"CA\""),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<option value=\"gt\" selected>&gt;</option>"), std::string::npos);
  EXPECT_NE(html.find("name=\"_filter_value_2\" class=\"filter-value\" value=\"3\""),
            std::string::npos);
  EXPECT_NE(html.find("<option value=\"city_id\" selected>Sort by city_id</option>"),
            std::string::npos);
  EXPECT_NE(html.find("name=\"_sort_by_desc\" checked"), std::string::npos);
  EXPECT_NE(html.find("aria-sort=\"descending\""), std::string::npos);
  EXPECT_NE(html.find("href=\"/db/-/query?sql=select+id%2C+state%2C+city_id+from+t+where+state+%"
                      "3D+%3Ap0+and+city_id+%3E+%3Ap1&amp;p0=CA&amp;p1=3\""),
            std::string::npos)
      << html;
  page.allow_execute_sql = false;
  EXPECT_EQ(Render(page).find("View and edit SQL"), std::string::npos);
}

TEST_F(RendererTest, ForeignKeysShowTheirLabelAndLink) {
  api::TablePage page = StatesPage();
  page.cell_labels = {std::nullopt, std::nullopt, Value::Text("San <Francisco>")};
  page.expandable_columns.push_back({db::ForeignKey{"cities", "city_id", "id"}, "name"});
  std::string html = Render(page);
  EXPECT_NE(
      html.find(
          "<a href=\"/db/cities/7\">San &lt;Francisco&gt;</a> <span class=\"fk-id\">7</span>"),
      std::string::npos)
      << html;
}

TEST_F(RendererTest, DateFacetsGetATimeline) {
  api::TablePage page = StatesPage();
  api::FacetResult dates;
  dates.name = "created";
  dates.type = "date";
  dates.results = {{Value::Text("2019-01-14"), Value::Text("2019-01-14"), 4, "u1", false},
                   {Value::Text("2019-01-17"), Value::Text("2019-01-17"), 5, "u2", false}};
  page.facet_results.push_back(dates);
  std::string html = Render(page);
  EXPECT_NE(html.find("class=\"timeline-chart\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Rows per day of created\""), std::string::npos);
}

TEST_F(RendererTest, RowPageLinksFromOtherTables) {
  api::RowPage row;
  row.database = "db";
  row.table = "cities";
  row.rows.columns = {"id", "name"};
  row.rows.cells = {Value::Integer(7), Value::Text("SF")};
  row.primary_keys = {"id"};
  row.primary_key_values = {"7"};
  row.foreign_key_tables.push_back({db::ForeignKey{"t", "id", "city_id"}, 12, "/db/t?city_id=7"});
  std::string html = renderer.Row(row, RenderContext{instance, request, ""});
  EXPECT_NE(html.find("<a href=\"/db/t?city_id=7\">12 rows</a> from city_id in t"),
            std::string::npos)
      << html;
}

}  // namespace
}  // namespace almanac::ui
