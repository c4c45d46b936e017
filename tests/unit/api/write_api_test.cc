// The write API at the api layer, with the actor set directly ({"id": "root"}): shapes, messages,
// atomicity, and where Almanac deliberately differs from Datasette (heterogeneous upserts).
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "api/write/write.h"
#include "db/execute.h"

namespace almanac::api::write {
namespace {

class WriteApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("alm_api_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db::DatabaseOptions options;
    options.name = "scratch";
    options.path = (dir_ / "scratch.db").string();
    options.create = true;
    Result<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    ASSERT_TRUE(registry_.Add(std::move(opened).value()).ok());
    instance_ =
        std::make_unique<Instance>(Instance{registry_, settings_, config_, engine_, "test"});
  }
  void TearDown() override {
    instance_.reset();
    registry_ = db::Registry();
    std::filesystem::remove_all(dir_);
  }

  Request Post(std::string body, bool root = true) {
    Request r;
    r.method = "POST";
    r.host = "127.0.0.1:8001";
    r.body = std::move(body);
    if (root) r.actor = auth::Actor{format::ParseJson(R"({"id": "root"})").value()};
    return r;
  }

  Result<Answer> Create(const std::string& body) {
    return RunToCompletion(CreateTable(*instance_, Post(body), "scratch"));
  }
  Result<Answer> Insert(const std::string& table, const std::string& body, bool upsert = false) {
    return RunToCompletion(InsertRows(*instance_, Post(body), "scratch", table, upsert));
  }
  Result<Answer> Exec(const std::string& body) {
    return RunToCompletion(ExecuteWrite(*instance_, Post(body), "scratch"));
  }
  std::string Rows(const std::string& sql) {
    Result<Answer> a = Exec(R"({"sql": ")" + sql + R"("})");
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? a->body.text : "";
  }
  std::string Query(const std::string& sql) {
    db::Database* db = registry_.Find("scratch");
    Result<db::Connection*> conn = db->ReadConnection();
    Result<db::QueryResult> r = db::ExecuteUser(
        **conn, sql, std::vector<std::pair<std::string, std::string>>{}, db::Limits{});
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::string out;
    for (size_t i = 0; i < r->rows.cells.size(); ++i) {
      out += (i ? "|" : "") +
             (r->rows.cells[i].is_null() ? "NULL" : r->rows.cells[i].ToDisplayString());
    }
    return out;
  }

  std::filesystem::path dir_;
  db::Registry registry_;
  config::Settings settings_;
  config::Config config_;
  auth::PermissionEngine engine_{config_, settings_, {false, true}};  // --root
  std::unique_ptr<Instance> instance_;
};

constexpr const char* kDogs =
    R"({"table": "dogs", "columns": [{"name": "id", "type": "integer"}, {"name": "name", "type":
    "text", "not_null": true, "default": ""}, {"name": "age", "type": "integer"}, {"name":
    "weight", "type": "float"}, {"name": "photo", "type": "blob"}], "pk": "id"})";

TEST_F(WriteApiTest, CreateTableWritesSqliteUtilsSchema) {
  Result<Answer> a = Create(kDogs);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->status, 201);
  const std::string schema =
      R"x("schema": "CREATE TABLE \"dogs\" (\n   \"id\" INTEGER PRIMARY KEY,\n   \"name\" TEXT NOT NULL DEFAULT '',\n   \"age\" INTEGER,\n   \"weight\" REAL,\n   \"photo\" BLOB\n)")x";
  EXPECT_NE(a->body.text.find(schema), std::string::npos) << a->body.text;
  EXPECT_NE(a->body.text.find(R"("table_url": "http://127.0.0.1:8001/scratch/dogs")"),
            std::string::npos);
  Result<Answer> again = Create(kDogs);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), "table \"dogs\" already exists");
}

TEST_F(WriteApiTest, AnonymousCannotWrite) {
  Result<Answer> a = RunToCompletion(CreateTable(*instance_, Post(kDogs, false), "scratch"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(a.status().message(), "Permission denied");
}

TEST_F(WriteApiTest, InsertReturnsRowsAndReportsEveryBadRow) {
  ASSERT_TRUE(Create(kDogs).ok());
  Result<Answer> one =
      Insert("dogs", R"({"row": {"id": 1, "name": "Cleo", "age": 5, "weight": 10.5}})");
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->status, 201);
  EXPECT_EQ(
      one->body.text,
      R"({"ok": true, "rows": [{"id": 1, "name": "Cleo", "age": 5, "weight": 10.5, "photo": null}]})");
  Result<Answer> bad = Insert("dogs", R"({"rows": [{"name": "a", "color": 1}, {"nope": 2}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "Row 0 has invalid columns: color; Row 1 has invalid columns: nope");
  Result<Answer> many = Insert("dogs", R"({"rows": [{"name": "x"}, {"name": null}]})");
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().message(), "NOT NULL constraint failed: dogs.name");
  EXPECT_EQ(Query("select count(*) from dogs"), "1");  // the request was all or nothing
}

TEST_F(WriteApiTest, TooManyRowsAndBadJson) {
  ASSERT_TRUE(Create(kDogs).ok());
  std::string rows;
  for (int i = 0; i < 101; ++i) rows += std::string(i ? ", " : "") + R"({"name": "n"})";
  Result<Answer> a = Insert("dogs", R"({"rows": [)" + rows + "]}");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), "Too many rows, maximum allowed is 100");
  std::string deep(200000, '[');
  Result<Answer> d = Insert("dogs", deep);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(d.status().message().starts_with("Invalid JSON: ")) << d.status().message();
}

TEST_F(WriteApiTest, UpsertUpdatesOnlyTheColumnsEachRowGives) {
  ASSERT_TRUE(Create(kDogs).ok());
  ASSERT_TRUE(
      Insert(
          "dogs",
          R"({"rows": [{"id": 1, "name": "Cleo", "age": 5}, {"id": 2, "name": "Rex", "age": 7}]})")
          .ok());
  // Rows with different keys: Datasette would write NULL into the columns a row leaves out
  // (and fail on the NOT NULL name). Almanac keeps them.
  Result<Answer> a = Insert(
      "dogs",
      R"({"rows": [{"id": 1, "age": 6}, {"id": 2, "weight": 30.5}, {"id": 3, "age": 1}], "return": true})",
      true);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(Query("select id, name, age, weight from dogs order by id"),
            "1|Cleo|6|NULL|2|Rex|7|30.5|3||1|NULL");
  Result<Answer> missing = Insert("dogs", R"({"rows": [{"name": "No pk"}]})", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "Row 0 is missing primary key column(s): \"id\"");
}

TEST_F(WriteApiTest, UpdateDeleteAndRecordNotFound) {
  ASSERT_TRUE(Create(kDogs).ok());
  ASSERT_TRUE(Insert("dogs", R"({"row": {"id": 1, "name": "Cleo"}})").ok());
  Result<Answer> u = RunToCompletion(UpdateRow(
      *instance_, Post(R"({"update": {"age": 12}, "return": true})"), "scratch", "dogs", "1"));
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(
      u->body.text,
      R"({"ok": true, "rows": [{"id": 1, "name": "Cleo", "age": 12, "weight": null, "photo": null}]})");
  Result<Answer> missing = RunToCompletion(
      UpdateRow(*instance_, Post(R"({"update": {"age": 1}})"), "scratch", "dogs", "999"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "Record not found: ['999']");
  Result<Answer> unknown = RunToCompletion(
      UpdateRow(*instance_, Post(R"({"update": {"nope": 1}})"), "scratch", "dogs", "1"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "no such column: nope");
  ASSERT_TRUE(RunToCompletion(DeleteRow(*instance_, Post(""), "scratch", "dogs", "1")).ok());
  EXPECT_EQ(Query("select count(*) from dogs"), "0");
}

TEST_F(WriteApiTest, AlterRebuildKeepsRowsIndexesAndViews) {
  ASSERT_TRUE(
      Create(
          R"({"table": "creatures", "rows": [{"id": 1, "name": "Weta", "legs": 6}], "pk": "id"})")
          .ok());
  ASSERT_TRUE(Rows("create index idx_legs on creatures (legs)").size());
  ASSERT_TRUE(Rows("create view named as select name from creatures").size());
  Result<Answer> a = RunToCompletion(AlterTable(
      *instance_,
      Post(
          R"({"operations": [{"op": "rename_column", "args": {"name": "legs", "to": "leg_count"}}, {"op": "alter_column", "args": {"name": "name", "not_null": true, "default": "?"}}]})"),
      "scratch", "creatures"));
  ASSERT_TRUE(a.ok()) << a.status().message();
  const std::string schema =
      R"x("schema": "CREATE TABLE \"creatures\" (\n   \"id\" INTEGER PRIMARY KEY,\n   \"name\" TEXT NOT NULL DEFAULT '?',\n   \"leg_count\" INTEGER\n)")x";
  EXPECT_NE(a->body.text.find(schema), std::string::npos) << a->body.text;
  EXPECT_EQ(Query("select id, name, leg_count from creatures"), "1|Weta|6");
  EXPECT_EQ(Query("select sql from sqlite_master where name = 'idx_legs'"),
            "CREATE INDEX \"idx_legs\" ON \"creatures\" (\"leg_count\")");
  EXPECT_EQ(Query("select * from named"), "Weta");
  Result<Answer> bad = RunToCompletion(
      AlterTable(*instance_, Post(R"({"operations": [{"op": "explode", "args": {}}]})"), "scratch",
                 "creatures"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().message().starts_with("operations.0: Input tag 'explode' found"));
}

TEST_F(WriteApiTest, ExecuteWriteAnalysesBeforeRunning) {
  ASSERT_TRUE(Create(kDogs).ok());
  Result<Answer> vacuum = Exec(R"({"sql": "vacuum"})");
  ASSERT_FALSE(vacuum.ok());
  EXPECT_EQ(vacuum.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(vacuum.status().message(), "VACUUM is not allowed in user-supplied SQL");
  Result<Answer> select = Exec(R"({"sql": "select 1"})");
  ASSERT_FALSE(select.ok());
  EXPECT_EQ(select.status().code(), ErrorCode::kInvalidArgument);
  Result<Answer> begin = Exec(R"({"sql": "begin"})");
  ASSERT_FALSE(begin.ok());
  EXPECT_EQ(begin.status().code(), ErrorCode::kPermissionDenied);
  Result<Answer> pragma = Exec(R"({"sql": "pragma journal_mode = delete"})");
  ASSERT_FALSE(pragma.ok());
  EXPECT_EQ(pragma.status().code(), ErrorCode::kPermissionDenied);
  std::string values;
  for (int i = 0; i < 12; ++i)
    values += std::string(i ? ", " : "") + "('d" + std::to_string(i) + "')";
  Result<Answer> many =
      Exec(R"({"sql": "insert into dogs (name) values )" + values + R"( returning id"})");
  ASSERT_TRUE(many.ok()) << many.status().message();
  EXPECT_NE(many->body.text.find(R"("truncated": true)"), std::string::npos);
  EXPECT_EQ(Query("select count(*) from dogs"), "12");
  Result<Answer> update =
      Exec(R"({"sql": "update dogs set age = age + 1 where id = :id", "params": {"id": 1}})");
  ASSERT_TRUE(update.ok());
  EXPECT_NE(update->body.text.find(R"("message": "Query executed, 1 row affected", "rowcount": 1)"),
            std::string::npos)
      << update->body.text;
}

TEST_F(WriteApiTest, DropNeedsConfirmation) {
  ASSERT_TRUE(Create(kDogs).ok());
  Result<Answer> preview = RunToCompletion(DropTable(*instance_, Post(""), "scratch", "dogs"));
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(
      preview->body.text,
      R"({"ok": true, "database": "scratch", "table": "dogs", "row_count": 0, "message": "Pass \"confirm\": true to confirm"})");
  ASSERT_TRUE(
      RunToCompletion(DropTable(*instance_, Post(R"({"confirm": true})"), "scratch", "dogs")).ok());
  EXPECT_EQ(Query("select count(*) from sqlite_master where name = 'dogs'"), "0");
}

}  // namespace
}  // namespace almanac::api::write
