// Direct JSON rendering of the table and query pages (rows written straight from the statement:
// TableFormat::kJsonDirect, BuildQueryPage's direct_json) against the model renderer (rows
// collected as Values, then written), over every table and view of the conformance fixtures
// and every _shape: the bodies, content types and next tokens must be byte-identical.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "api/json_output.h"
#include "api/query.h"
#include "api/table.h"

namespace almanac::api {
namespace {

namespace fs = std::filesystem;

// ../shared/conformance beside the checkout, as tests/support/almanac_server.py finds it.
fs::path ConformanceDir() {
  std::vector<fs::path> candidates;
  if (const char* shared = std::getenv("ALMANAC_SHARED_DIR")) candidates.emplace_back(shared);
  candidates.push_back(fs::path(ALM_SOURCE_DIR).parent_path() / "shared");
  candidates.emplace_back("/work/shared");
  for (const fs::path& c : candidates) {
    if (fs::exists(c / "conformance" / "fixtures.db")) return c / "conformance";
  }
  return {};
}

format::JsonValue ReadJson(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  Result<format::JsonValue> parsed = format::ParseJson(text.str());
  return parsed.ok() ? *parsed : format::JsonValue::MakeObject();
}

class DirectJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::path conformance = ConformanceDir();
    if (conformance.empty()) GTEST_SKIP() << "../shared/conformance not found";
    // A directory of this process's own: CTest runs the cases as parallel processes.
    dir_ = fs::temp_directory_path() / ("alm_direct_json_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy_file(conformance / "fixtures.db", dir_ / "fixtures.db");
    db::DatabaseOptions options;
    options.name = "fixtures";
    options.path = (dir_ / "fixtures.db").string();
    Result<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    ASSERT_TRUE(registry_.Add(std::move(opened).value()).ok());
    config_ = config::Config::FromDocuments(ReadJson(conformance / "fixtures-config.json"),
                                            ReadJson(conformance / "fixtures-metadata.json"));
    engine_ = std::make_unique<auth::PermissionEngine>(config_, settings_,
                                                       auth::PermissionOptions{false, true});
    instance_ = std::make_unique<Instance>(Instance{registry_, settings_, config_, *engine_, "t"});
  }
  void TearDown() override {
    instance_.reset();
    registry_ = db::Registry();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::vector<std::string> Tables() {
    db::Database* db = registry_.Find("fixtures");
    Result<db::Connection*> conn = db->ReadConnection();
    EXPECT_TRUE(conn.ok());
    std::vector<std::string> names;
    if (!conn.ok()) return names;
    Result<std::shared_ptr<const db::Schema>> schema = db->CurrentSchema(**conn);
    EXPECT_TRUE(schema.ok());
    if (!schema.ok()) return names;
    for (const db::TableInfo& t : (*schema)->tables()) names.push_back(t.name);
    return names;
  }

  Request Get(const std::string& table, const std::string& query) {
    Request r;
    r.path = "/fixtures/" + table + ".json";
    r.query_string = query;
    r.args = ParseQueryString(query);
    r.actor = auth::Actor{format::ParseJson(R"({"id": "root"})").value()};
    return r;
  }

  // What one renderer answers: the body and its content type, or the error.
  struct Answer {
    std::string text;
    bool direct = false;  // the rows came from TablePage::rows_json
  };
  Answer Render(const std::string& table, const std::string& query, TableFormat format,
                std::optional<std::string>* next = nullptr) {
    Result<TablePage> page =
        BuildTablePage(*instance_, Get(table, query), "fixtures", table, format);
    if (!page.ok()) return {"error: " + page.status().message()};
    if (next) *next = page->next;
    Body body = TableJson(*page);
    return {body.content_type + "\n" + body.text, page->rows_json.has_value()};
  }

  // Both renderers on `query`; returns the model's next token.
  std::optional<std::string> ExpectSame(const std::string& table, const std::string& query,
                                        bool expect_direct) {
    std::optional<std::string> next_model;
    std::optional<std::string> next_direct;
    Answer model = Render(table, query, TableFormat::kJson, &next_model);
    Answer direct = Render(table, query, TableFormat::kJsonDirect, &next_direct);
    if (Render(table, query, TableFormat::kJson).text != model.text) {
      // Not repeatable (the hidden column of an FTS table counts its cursors): nothing to compare.
      ++volatile_;
      return next_model;
    }
    EXPECT_EQ(model.text, direct.text) << table << "?" << query;
    EXPECT_EQ(next_model, next_direct) << table << "?" << query;
    EXPECT_FALSE(model.direct);
    if (expect_direct && !direct.text.starts_with("error")) {
      EXPECT_TRUE(direct.direct) << table << "?" << query;
    }
    ++compared_;
    return next_model;
  }

  fs::path dir_;
  db::Registry registry_;
  config::Settings settings_;
  config::Config config_;
  std::unique_ptr<auth::PermissionEngine> engine_;
  std::unique_ptr<Instance> instance_;
  int compared_ = 0;
  int volatile_ = 0;
};

TEST_F(DirectJsonTest, EveryShapeOfEveryTableIsByteIdentical) {
  const std::vector<std::string> direct_queries = {
      "",
      "_shape=objects",
      "_shape=arrays",
      "_shape=array",
      "_shape=array&_nl=on",
      "_shape=arrayfirst",
      "_shape=object",
      "_json_infinity=on",
      "_size=2",
      "_size=0",
      "_size=1&_shape=array",
      "_size=3&_shape=arrays&_extra=count,columns,render_cell,primary_keys",
      "_extra=columns&_extra=all_columns&_extra=next_url&_extra=count",
      "_nocount=1&_nofacet=1",
  };
  std::vector<std::string> tables = Tables();
  ASSERT_GT(tables.size(), 20U);
  for (const std::string& table : tables) {
    for (const std::string& q : direct_queries) ExpectSame(table, q, true);
    // Keyset pages: follow the next token twice, plain and sorted by each column.
    std::optional<std::string> next = ExpectSame(table, "_size=2", true);
    if (next) ExpectSame(table, "_size=2&_next=" + *next, true);
    Result<TablePage> all =
        BuildTablePage(*instance_, Get(table, "_size=1"), "fixtures", table, TableFormat::kJson);
    if (!all.ok()) continue;
    for (const std::string& column : all->all_columns) {
      for (const char* sort : {"_sort=", "_sort_desc="}) {
        std::string q = "_size=3&" + std::string(sort) + QuotePlus(column);
        std::optional<std::string> token = ExpectSame(table, q, true);
        if (token) ExpectSame(table, q + "&_next=" + QuotePlus(*token), true);
        // The sort column left out of the page (?_col=) still makes the token.
        ExpectSame(table, q + "&_col=" + QuotePlus(all->all_columns.front()), true);
      }
    }
  }
  // Labels and ?_json= take the model's path; their answers must not change either.
  for (const std::string& table : tables) {
    ExpectSame(table, "_labels=on", false);
    ExpectSame(table, "_labels=on&_shape=array", false);
    ExpectSame(table, "_extra=columns&_json=content", false);
  }
  EXPECT_GT(compared_, 1000);
  EXPECT_LT(volatile_, 30);  // only the FTS table's own answers
}

TEST_F(DirectJsonTest, QueryPagesAreByteIdentical) {
  settings_.max_returned_rows = 7;  // some results truncated
  auto render = [&](const std::string& query, bool direct) {
    Request request = Get("-/query", query);
    Result<QueryPage> page = BuildQueryPage(*instance_, request, "fixtures", direct);
    if (!page.ok()) return std::make_pair("error: " + page.status().message(), false);
    Body body = QueryJson(*page);
    return std::make_pair(body.content_type + "\n" + body.text, page->rows_json.has_value());
  };
  int compared = 0;
  std::vector<std::string> sqls = {"select 1 as one, 2.5 as two, null as three, 'x' as four",
                                   "select x'0001ff' as b, 1e300 * 1e300 as inf",
                                   "select * from no_such_table", "select 1 from"};
  for (const std::string& table : Tables()) sqls.push_back("select * from [" + table + "]");
  for (const std::string& sql : sqls) {
    for (const char* extra : {"", "&_shape=arrays", "&_shape=array", "&_shape=array&_nl=on",
                              "&_shape=arrayfirst", "&_shape=object", "&_json_infinity=on",
                              "&_json=content&_json=tags", "&_extra=columns,render_cell,count"}) {
      std::string query = "sql=" + QuotePlus(sql) + extra;
      std::pair<std::string, bool> model = render(query, false);
      if (render(query, false).first != model.first) continue;  // FTS cursor columns
      std::pair<std::string, bool> direct = render(query, true);
      EXPECT_EQ(model.first, direct.first) << query;
      EXPECT_FALSE(model.second);
      if (!direct.first.starts_with("error") &&
          direct.first.find("\"error\"") == std::string::npos) {
        EXPECT_TRUE(direct.second) << query;
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 200);
}

}  // namespace
}  // namespace almanac::api
