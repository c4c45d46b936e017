// ingest::Import and Transform against an in-memory database: the pipeline, the retry when a
// late value does not fit the sampled types, exact upserts, and a rebuild that keeps rows.
#include "ingest/importer.h"

#include <gtest/gtest.h>

#include "ingest/transform.h"

namespace almanac::ingest {
namespace {

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::OpenOptions options;
    options.path = "importer_test_" + std::to_string(reinterpret_cast<uintptr_t>(this));
    options.memory = true;
    options.read_only = false;
    conn_ = std::move(db::Connection::Open(options)).value();
  }

  Result<ImportResult> Load(const std::string& text, InputFormat format, ImportOptions options) {
    InputOptions input;
    input.format = format;
    ALM_ASSIGN_OR_RETURN(auto records, OpenRecords(StringSource(text), "x", input));
    return Import(*conn_, *records, options);
  }

  std::string Query(const std::string& sql) {
    db::Statement s = std::move(conn_->PrepareUser(sql)).value();
    std::string out;
    while (*s.Step()) {
      for (int i = 0; i < s.ColumnCount(); ++i)
        out += (i ? "|" : "") + s.Column(i).ToDisplayString();
      out += "\n";
    }
    return out;
  }

  std::unique_ptr<db::Connection> conn_;
};

TEST_F(ImporterTest, LateValuesWidenTypesWithoutLosingData) {
  std::string csv = "a,b\n";
  for (int i = 0; i < 25000; ++i) csv += std::to_string(i) + "," + std::to_string(i) + "\n";
  csv += "007,2.5\n";
  ImportOptions options;
  options.table = "t";
  Result<ImportResult> result = Load(csv, InputFormat::kCsv, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->counts.inserted, 25001);
  EXPECT_EQ(Query("select type from pragma_table_info('t')"), "TEXT\nREAL\n");
  EXPECT_EQ(Query("select a, b from t where rowid in (2, 25001)"), "1|1.0\n007|2.5\n");
}

TEST_F(ImporterTest, StopAfterAndBatchCommits) {
  ImportOptions options;
  options.table = "t";
  options.stop_after = 3;
  options.commit_every = 2;
  ASSERT_TRUE(Load("a\n1\n2\n3\n4\n", InputFormat::kCsv, options).ok());
  EXPECT_EQ(Query("select group_concat(a) from t"), "1,2,3\n");
}

TEST_F(ImporterTest, UpsertsWriteOnlyGivenColumnsAndCount) {
  ImportOptions options;
  options.table = "t";
  options.spec.pk = {"id"};
  ASSERT_TRUE(Load(R"([{"id": 1, "a": "x", "b": 1}])", InputFormat::kJson, options).ok());
  options.upsert = true;
  Result<ImportResult> result =
      Load("{\"id\": 1, \"b\": 2}\n{\"id\": 2, \"a\": \"y\"}\n", InputFormat::kNdjson, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->counts.inserted, 1);
  EXPECT_EQ(result->counts.updated, 1);
  EXPECT_EQ(Query("select * from t"), "1|x|2\n2|y|None\n");
}

TEST_F(ImporterTest, FailuresLeaveNothingBehind) {
  ImportOptions options;
  options.table = "t";
  options.spec.pk = {"id"};
  Result<ImportResult> result = Load("id\n1\n2\n1\n", InputFormat::kCsv, options);
  EXPECT_EQ(result.status().message(),
            "Line 4: UNIQUE constraint failed: t.id (use --ignore or --replace, or upsert)");
  EXPECT_EQ(Query("select count(*) from sqlite_master"), "0\n");
}

TEST_F(ImporterTest, TransformRebuildsKeepingRowsIndexesAndTriggers) {
  ImportOptions options;
  options.table = "t";
  ASSERT_TRUE(Load("a,b\n1,x\n2,y\n", InputFormat::kCsv, options).ok());
  ASSERT_TRUE(conn_
                  ->Exec("CREATE INDEX idx_b ON t (b); CREATE TABLE log (v); CREATE TRIGGER "
                         "t_ai AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.a); END;")
                  .ok());
  TransformSpec spec;
  spec.rename["b"] = "name";
  spec.types["a"] = "TEXT";
  ASSERT_TRUE(Transform(*conn_, "t", spec).ok());
  EXPECT_EQ(Query("select sql from sqlite_master where name = 't'"),
            "CREATE TABLE \"t\" (\n   \"a\" TEXT,\n   \"name\" TEXT\n)\n");
  EXPECT_EQ(Query("select rowid, a, name from t"), "1|1|x\n2|2|y\n");
  EXPECT_EQ(Query("select sql from sqlite_master where name = 'idx_b'"),
            "CREATE INDEX \"idx_b\" ON \"t\" (\"name\")\n");
  ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES ('3', 'z')").ok());
  EXPECT_EQ(Query("select v from log"), "3\n");
  spec = {};
  spec.drop.insert("nope");
  EXPECT_EQ(Transform(*conn_, "t", spec).message(), "No such column: nope");
}

}  // namespace
}  // namespace almanac::ingest
