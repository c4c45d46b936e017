// Insert, upsert, update and delete through Parse -> Check -> Run on a real SQLite file.
#include <gtest/gtest.h>

#include "write/insert.h"
#include "write/row_write.h"
#include "write_test_util.h"

namespace almanac::write {
namespace {

using RowOpsTest = WriteTest;

TEST_F(RowOpsTest, InsertFromJsonReturnsTheRowsWritten) {
  Result<InsertArgs> args = ParseInsert(Json(R"({"rows": [{"id": 3, "name": "Rex", "age": 2},
                        {"id": 4, "name": "Bo", "photo": {"$base64": true, "encoded": "AAE="}}],
               "return": true})"),
                                        Table("dogs"), /*upsert=*/false, /*max_rows=*/100);
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(args->rows.size(), 2u);
  EXPECT_EQ(args->rows[1].Find("photo")->blob(), std::string("\x00\x01", 2));
  ASSERT_TRUE(CheckInsert(*engine_, root_, "scratch", *args).ok());
  Result<InsertResult> done = Run(&RunInsert, *args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  ASSERT_EQ(done->rows.size(), 2u);
  EXPECT_EQ(done->rows.columns, (std::vector<std::string>{"id", "name", "age", "photo"}));
  EXPECT_EQ(done->rows.at(0, 1).text(), "Rex");
  EXPECT_EQ(Query("select id, name, length(photo) from dogs where id > 2 order by id"),
            "3|Rex|NULL|4|Bo|2");
}

// Datasette's test_base64_write_api_*: "$raw" unwraps one layer and stores the rest literally.
TEST_F(RowOpsTest, RawCellsAreStoredLiterallyNotDecoded) {
  Result<InsertArgs> args = ParseInsert(Json(R"({"rows": [
        {"id": 5, "name": {"$raw": {"$base64": true, "encoded": "AAEC/f7/"}}},
        {"id": 6, "name": {"$raw": {"$raw": {"$base64": true, "encoded": "AAEC/f7/"}}}},
        {"id": 7, "name": {"$raw": "plain"}}]})"),
                                        Table("dogs"), /*upsert=*/false, /*max_rows=*/100);
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(Run(&RunInsert, *args).ok());
  EXPECT_EQ(Query("select typeof(name), name from dogs where id >= 5 order by id"),
            R"(text|{"$base64": true, "encoded": "AAEC/f7/"}|)"
            R"(text|{"$raw": {"$base64": true, "encoded": "AAEC/f7/"}}|text|plain)");
}

TEST_F(RowOpsTest, InsertBuiltWithoutJsonIgnoresExistingKeys) {
  InsertArgs args;
  args.table = "dogs";
  Row cleo;
  cleo.Add("id", Value::Integer(1));
  cleo.Add("name", Value::Text("Not Cleo"));
  Row new_dog;
  new_dog.Add("id", Value::Integer(9));
  new_dog.Add("name", Value::Text("Nine"));
  args.rows = {cleo, new_dog};
  args.on_conflict = sql::OnConflict::kIgnore;
  args.return_rows = true;
  ASSERT_TRUE(ValidateInsert(args, Table("dogs"), 100).ok());
  Result<InsertResult> done = Run(&RunInsert, args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->rows.size(), 2u);  // the ignored row is returned as it stands
  EXPECT_EQ(Query("select id, name from dogs order by id"), "1|Cleo|2|Pancakes|9|Nine");
}

TEST_F(RowOpsTest, InsertWithAlterAddsColumnsOfTheInferredType) {
  Result<InsertArgs> args =
      ParseInsert(Json(R"({"row": {"name": "Spot", "weight": 4.5, "good": true}, "alter": true})"),
                  Table("dogs"), false, 100);
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(Run(&RunInsert, *args).ok());
  EXPECT_EQ(Query("select type from pragma_table_info('dogs') where name in ('weight', 'good') "
                  "order by cid"),
            "REAL|INTEGER");
  EXPECT_EQ(Query("select name, weight, good from dogs where id = 3"), "Spot|4.5|1");
}

TEST_F(RowOpsTest, AFailingRowLeavesNothingWritten) {
  Result<InsertArgs> args =
      ParseInsert(Json(R"({"rows": [{"id": 5, "name": "Five"}, {"id": 6, "name": null}]})"),
                  Table("dogs"), false, 100);
  ASSERT_TRUE(args.ok());
  Result<InsertResult> done = Run(&RunInsert, *args);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().message(), "NOT NULL constraint failed: dogs.name");
  EXPECT_EQ(Query("select count(*) from dogs"), "2");
}

TEST_F(RowOpsTest, UpsertUpdatesOrInsertsByKey) {
  Result<InsertArgs> args =
      ParseInsert(Json(R"({"rows": [{"a": "x", "b": 1, "v": "uno"}, {"a": "y", "b": 2, "v": "two"}],
               "return": true})"),
                  Table("pairs"), /*upsert=*/true, 100);
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_TRUE(args->upsert);
  ASSERT_TRUE(CheckInsert(*engine_, root_, "scratch", *args).ok());
  Result<InsertResult> done = Run(&RunInsert, *args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->rows.size(), 2u);
  EXPECT_EQ(Query("select a, b, v from pairs order by a"), "x|1|uno|y|2|two");
}

TEST_F(RowOpsTest, InsertParseErrorsKeepDatasettesMessages) {
  const db::TableInfo& dogs = Table("dogs");
  auto error = [&](std::string_view body, bool upsert = false, int64_t max_rows = 100) {
    Result<InsertArgs> r = ParseInsert(Json(body), dogs, upsert, max_rows);
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error("[]"), "JSON must be a dictionary");
  EXPECT_EQ(error("{}"), R"(JSON must have one or other of "row" or "rows")");
  EXPECT_EQ(error(R"({"row": {}, "rows": []})"), R"(Cannot use "row" and "rows" at the same time)");
  EXPECT_EQ(error(R"({"rows": [{}, 1]})"), R"("rows" must be a list of dictionaries)");
  EXPECT_EQ(error(R"({"rows": [{}, {}]})", false, 1), "Too many rows, maximum allowed is 1");
  EXPECT_EQ(error(R"({"row": {}, "zz": 1, "aa": 2})"), R"(Invalid parameter: "aa", "zz")");
  EXPECT_EQ(error(R"({"row": {}, "ignore": true, "replace": true})"),
            R"(Cannot use "ignore" and "replace" at the same time)");
  Result<InsertArgs> bad_rows = ParseInsert(
      Json(R"({"rows": [{"name": "a", "color": 1}, {"nope": 2, "bad": 3}]})"), dogs, false, 100);
  ASSERT_FALSE(bad_rows.ok());
  EXPECT_EQ(bad_rows.status().messages(),
            (std::vector<std::string>{"Row 0 has invalid columns: color",
                                      "Row 1 has invalid columns: bad, nope"}));
  EXPECT_EQ(error(R"({"row": {"name": "a"}})", true),
            R"(Row 0 is missing primary key column(s): "id")");
  EXPECT_EQ(error(R"({"row": {"id": null}})", true),
            R"(Row 0 has null primary key column(s): "id")");
  EXPECT_EQ(error(R"({"row": {"id": 1}, "ignore": true})", true),
            "Upsert does not support ignore or replace");
  EXPECT_EQ(error(R"({"row": {"photo": {"$base64": true, "encoded": "!!"}}})"),
            "Invalid $base64 encoded value");
}

TEST_F(RowOpsTest, ValidateInsertChecksArgumentsBuiltDirectly) {
  InsertArgs args;
  args.table = "dogs";
  Row row;
  row.Add("colour", Value::Text("brown"));
  args.rows = {row};
  Status unknown = ValidateInsert(args, Table("dogs"), 100);
  EXPECT_EQ(unknown.message(), "Row 0 has invalid columns: colour");
  args.alter = true;
  EXPECT_TRUE(ValidateInsert(args, Table("dogs"), 100).ok());
  args.upsert = true;
  EXPECT_EQ(ValidateInsert(args, Table("dogs"), 100).message(),
            R"(Row 0 is missing primary key column(s): "id")");
  EXPECT_EQ(ValidateInsert(args, Table("dogs"), 0).message(),
            "Too many rows, maximum allowed is 0");
}

TEST_F(RowOpsTest, UpdateSetsColumnsAndReturnsTheRow) {
  ASSERT_TRUE(FindRow(reader(), Table("dogs"), {"1"}).ok());
  Result<UpdateArgs> args =
      ParseUpdate(Json(R"({"update": {"age": 6}, "return": true})"), Table("dogs"), {"1"});
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(CheckUpdate(*engine_, root_, "scratch", *args).ok());
  Result<UpdateResult> done = Run(&RunUpdate, *args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  ASSERT_EQ(done->row.size(), 1u);
  EXPECT_EQ(done->row.at(0, done->row.ColumnIndex("age")).integer(), 6);
  EXPECT_EQ(Query("select age from dogs where id = 1"), "6");
}

TEST_F(RowOpsTest, UpdateErrors) {
  EXPECT_EQ(FindRow(reader(), Table("dogs"), {"99"}).message(), "Record not found: ['99']");
  EXPECT_EQ(FindRow(reader(), Table("pairs"), {"x"}).message(), "Record not found: ['x']");
  auto error = [&](std::string_view body) {
    Result<UpdateArgs> r = ParseUpdate(Json(body), Table("dogs"), {"1"});
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error("[]"), "JSON must be a dictionary");
  EXPECT_EQ(error(R"({"update": 1})"), "JSON must contain an update dictionary");
  EXPECT_EQ(error(R"({"update": {}, "x": 1, "y": 2})"), "Invalid keys: x, y");
}

TEST_F(RowOpsTest, DeleteRemovesTheRowByCompoundKey) {
  Result<DeleteArgs> args = ParseDelete(Table("pairs"), {"x", "1"});
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(CheckDelete(*engine_, root_, "scratch", *args).ok());
  Result<DeleteResult> done = Run(&RunDelete, *args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->deleted, 1);
  EXPECT_EQ(Query("select count(*) from pairs"), "0");
  EXPECT_EQ(ParseDelete(Table("pairs"), {"x"}).status().message(), "Record not found: ['x']");
}

}  // namespace
}  // namespace almanac::write
