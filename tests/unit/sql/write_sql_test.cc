// SQL text of the write API: exact statements and parameters, sqlite-utils' table layout.
#include "sql/write_sql.h"

#include <gtest/gtest.h>

namespace almanac::sql {
namespace {

Identifier Id(const char* name) { return Identifier::FromSchema(name); }

TEST(WriteSql, InsertRowBindsEveryValue) {
  Query q =
      InsertRow(Id("dogs"), {Id("name"), Id("age")}, {Value::Text("Cleo"), Value::Integer(5)});
  EXPECT_EQ(q.text, "INSERT INTO \"dogs\" (\"name\", \"age\") VALUES (?, ?)");
  ASSERT_EQ(q.params.size(), 2u);
  EXPECT_EQ(q.params[0], Value::Text("Cleo"));
}

TEST(WriteSql, InsertConflictModesAndDefaultValues) {
  EXPECT_EQ(InsertRow(Id("t"), {Id("a")}, {Value::Null()}, OnConflict::kIgnore).text,
            "INSERT OR IGNORE INTO \"t\" (\"a\") VALUES (?)");
  EXPECT_EQ(InsertRow(Id("t"), {Id("a")}, {Value::Null()}, OnConflict::kReplace).text,
            "INSERT OR REPLACE INTO \"t\" (\"a\") VALUES (?)");
  EXPECT_EQ(InsertRow(Id("t"), {}, {}).text, "INSERT INTO \"t\" DEFAULT VALUES");
}

TEST(WriteSql, HostileNamesStayQuoted) {
  Query q = InsertRow(Id("t\"; drop table x; --"), {Id("a\"b")}, {Value::Integer(1)});
  EXPECT_EQ(q.text, "INSERT INTO \"t\"\"; drop table x; --\" (\"a\"\"b\") VALUES (?)");
}

TEST(WriteSql, UpdateAndDeleteByCompoundKey) {
  RowKey key{{Id("a"), Id("b")}, {Value::Text("x"), Value::Text("2")}};
  Query u = UpdateRow(Id("pairs"), {Id("v")}, {Value::Text("TWO")}, key);
  EXPECT_EQ(u.text, "UPDATE \"pairs\" SET \"v\" = ? WHERE \"a\" = ? AND \"b\" = ?");
  ASSERT_EQ(u.params.size(), 3u);
  EXPECT_EQ(u.params[2], Value::Text("2"));
  EXPECT_EQ(DeleteRow(Id("pairs"), key).text,
            "DELETE FROM \"pairs\" WHERE \"a\" = ? AND \"b\" = ?");
  EXPECT_EQ(
      SelectRow(Id("notes"), {Id("title")}, true, RowKey{{Id("rowid")}, {Value::Text("2")}}).text,
      "SELECT rowid, \"title\" FROM \"notes\" WHERE \"rowid\" = ?");
}

TEST(WriteSql, CreateTableInSqliteUtilsLayout) {
  TableDef t;
  t.name = "dogs";
  t.primary_keys = {"id"};
  t.columns = {{"id", "INTEGER", false, {}, {}},
               {"name", "TEXT", true, "''", {}},
               {"owner", "INTEGER", false, {}, std::make_pair("owners", "id")}};
  EXPECT_EQ(CreateTableSql(t),
            "CREATE TABLE \"dogs\" (\n"
            "   \"id\" INTEGER PRIMARY KEY,\n"
            "   \"name\" TEXT NOT NULL DEFAULT '',\n"
            "   \"owner\" INTEGER REFERENCES \"owners\"(\"id\")\n"
            ")");
}

TEST(WriteSql, CompoundPrimaryKeyIsATableConstraint) {
  TableDef t;
  t.name = "pairs";
  t.primary_keys = {"a", "b"};
  t.columns = {{"a", "TEXT", false, {}, {}}, {"b", "INTEGER", false, {}, {}}};
  EXPECT_EQ(CreateTableSql(t),
            "CREATE TABLE \"pairs\" (\n   \"a\" TEXT,\n   \"b\" INTEGER,\n"
            "   PRIMARY KEY (\"a\", \"b\")\n)");
}

TEST(WriteSql, DefaultsFollowSqliteUtils) {
  EXPECT_EQ(DefaultSql("'land'"), "'land'");
  EXPECT_EQ(DefaultSql("1.5"), "1.5");
  EXPECT_EQ(DefaultSql("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(DefaultSql("(CAST(strftime('%s', 'now') AS INTEGER))"),
            "((CAST(strftime('%s', 'now') AS INTEGER)))");
}

TEST(WriteSql, AddColumnAndCopyRows) {
  ColumnDef c{"habitat", "TEXT", true, "'land'", {}};
  EXPECT_EQ(AddColumnSql("creatures", c),
            "ALTER TABLE \"creatures\" ADD COLUMN \"habitat\" TEXT NOT NULL DEFAULT 'land'");
  EXPECT_EQ(CopyRowsSql("t", "t_new", {{"a", "a"}, {"legs", "leg_count"}}, true),
            "INSERT INTO \"t_new\" (rowid, \"a\", \"leg_count\")\n   SELECT rowid, \"a\", \"legs\" "
            "FROM \"t\"");
}

}  // namespace
}  // namespace almanac::sql
