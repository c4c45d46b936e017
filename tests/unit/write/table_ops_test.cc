// Create (with and without rows), alter and drop through Parse -> Check -> Run.
#include <gtest/gtest.h>

#include "write/alter.h"
#include "write/create.h"
#include "write/drop.h"
#include "write_test_util.h"

namespace almanac::write {
namespace {

using TableOpsTest = WriteTest;

TEST_F(TableOpsTest, CreateFromColumnsWritesSqliteUtilsSchema) {
  Result<CreateArgs> args =
      ParseCreate(Json(R"({"table": "cats", "columns": [{"name": "id", "type": "integer"},
               {"name": "name", "type": "text", "not_null": true, "default": ""},
               {"name": "owner", "type": "integer", "fk_table": "dogs"}], "pk": "id"})"),
                  *schema());
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(CheckCreate(*engine_, root_, "scratch", *args, *schema()).ok());
  Result<CreateResult> done = Run(&RunCreate, *args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->schema,
            "CREATE TABLE \"cats\" (\n   \"id\" INTEGER PRIMARY KEY,\n   \"name\" TEXT NOT NULL "
            "DEFAULT '',\n   \"owner\" INTEGER REFERENCES \"dogs\"(\"id\")\n)");
  Result<CreateResult> again = Run(&RunCreate, *args);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), "table \"cats\" already exists");
}

TEST_F(TableOpsTest, CreateFromRowsInfersTypesAndInsertsTheRows) {
  CreateArgs args;
  args.table = "readings";
  args.pks = {"id"};
  for (int i = 1; i <= 2; ++i) {
    Row row;
    row.Add("id", Value::Integer(i));
    row.Add("value", i == 1 ? Value::Integer(3) : Value::Real(4.5));
    row.Add("label", Value::Text("r" + std::to_string(i)));
    args.rows.push_back(row);
  }
  ASSERT_TRUE(ValidateCreate(args, *schema()).ok());
  EXPECT_TRUE(args.alter);  // a new table takes its columns from the rows
  Result<CreateResult> done = Run(&RunCreate, args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->schema,
            "CREATE TABLE \"readings\" (\n   \"id\" INTEGER PRIMARY KEY,\n   \"value\" REAL,\n"
            "   \"label\" TEXT\n)");
  EXPECT_EQ(Query("select id, value, label from readings order by id"), "1|3.0|r1|2|4.5|r2");
}

TEST_F(TableOpsTest, CreateWithRowsIntoAnExistingTableKeepsItsKeyAndCanAlter) {
  Result<CreateArgs> args =
      ParseCreate(Json(R"({"table": "dogs", "rows": [{"id": 7, "name": "Seven", "toy": "ball"}],
               "alter": true})"),
                  *schema());
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(args->pks, std::vector<std::string>{"id"});
  ASSERT_TRUE(Run(&RunCreate, *args).ok());
  EXPECT_EQ(Query("select name, toy from dogs where id = 7"), "Seven|ball");
  Result<CreateArgs> changed =
      ParseCreate(Json(R"({"table": "dogs", "rows": [{"id": 8}], "pk": "name"})"), *schema());
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().message(), "pk cannot be changed for existing table");
}

TEST_F(TableOpsTest, CreateParseErrorsKeepDatasettesMessages) {
  auto error = [&](std::string_view body) {
    Result<CreateArgs> r = ParseCreate(Json(body), *schema());
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error("[]"), "JSON must be an object");
  EXPECT_EQ(error(R"({"table": "t", "zz": 1, "aa": 1})"), "Invalid keys: aa, zz");
  EXPECT_EQ(error(R"({"columns": [{"name": "a"}]})"), "Table is required");
  EXPECT_EQ(error(R"({"table": "sqlite_x", "columns": [{"name": "a"}]})"), "Invalid table name");
  EXPECT_EQ(error(R"({"table": "t"})"), "columns, rows or row is required");
  EXPECT_EQ(error(R"({"table": "t", "columns": [{"name": "a"}, {"name": "a"}]})"),
            "Duplicate column name: a");
  EXPECT_EQ(error(R"({"table": "t", "columns": [{"name": "a", "type": "date"}]})"),
            "Unsupported column type: date");
  EXPECT_EQ(error(R"({"table": "t", "columns": [{"name": "a", "not_null": "maybe"}]})"),
            "columns.0.not_null: Input should be a valid boolean, unable to interpret input");
  EXPECT_EQ(error(R"({"table": "t", "rows": [{"a": 1}], "ignore": true})"),
            "ignore and replace require pk or pks");
  CreateArgs typed;
  typed.table = "t";
  EXPECT_EQ(ValidateCreate(typed, *schema()).message(), "columns, rows or row is required");
}

TEST_F(TableOpsTest, AlterAddsAndRenamesColumnsInOneRebuild) {
  Result<AlterArgs> args = ParseAlter(
      Json(R"({"operations": [{"op": "add_column", "args": {"name": "weight", "type": "float"}},
                              {"op": "rename_column", "args": {"name": "age", "to": "years"}}]})"),
      Table("dogs"));
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(args->plan.operations, 2u);
  ASSERT_TRUE(CheckAlter(*engine_, root_, "scratch", *args).ok());
  Result<AlterResult> done = Run(&RunAlter, *args);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->table, "dogs");
  EXPECT_NE(done->before, done->after);
  EXPECT_NE(done->after.find("\"years\" INTEGER"), std::string::npos) << done->after;
  EXPECT_NE(done->after.find("\"weight\" REAL"), std::string::npos) << done->after;
  EXPECT_EQ(Query("select id, name, years from dogs order by id"), "1|Cleo|5|2|Pancakes|3");
}

TEST_F(TableOpsTest, AlterErrors) {
  Result<AlterArgs> missing = ParseAlter(Json("{}"), Table("dogs"));
  EXPECT_EQ(missing.status().message(), "operations: Field required");
  Result<AlterArgs> unknown =
      ParseAlter(Json(R"({"operations": [{"op": "rename_column", "args": {"name": "nope",
                 "to": "x"}}]})"),
                 Table("dogs"));
  ASSERT_TRUE(unknown.ok());
  Result<AlterResult> failed = Run(&RunAlter, *unknown);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "No such column: nope");
  EXPECT_EQ(Query("select count(*) from dogs"), "2");  // the rebuild rolled back
}

TEST_F(TableOpsTest, DropPreviewsUntilConfirmed) {
  Result<DropArgs> preview = ParseDrop(Json("{}"), Table("dogs"));
  ASSERT_TRUE(preview.ok());
  EXPECT_FALSE(preview->confirm);
  EXPECT_EQ(CountRows(reader(), "dogs").value(), 2);
  EXPECT_EQ(Run(&RunDrop, *preview).status().code(), ErrorCode::kInvalidArgument);
  Result<DropArgs> args = ParseDrop(Json(R"({"confirm": true})"), Table("dogs"));
  ASSERT_TRUE(args.ok());
  ASSERT_TRUE(CheckDrop(*engine_, root_, "scratch", *args).ok());
  ASSERT_TRUE(Run(&RunDrop, *args).ok());
  EXPECT_EQ(Query("select count(*) from sqlite_master where name = 'dogs'"), "0");
  Result<DropResult> again = Run(&RunDrop, *args);
  EXPECT_EQ(again.status().message(), "Table not found: dogs");
}

}  // namespace
}  // namespace almanac::write
