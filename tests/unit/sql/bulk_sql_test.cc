// SQL text of the CLI's bulk loads and table commands: exact statements, sqlite-utils' layout.
#include "sql/bulk_sql.h"

#include <gtest/gtest.h>

#include "sql/ddl_sql.h"

namespace almanac::sql {
namespace {

Identifier Id(const char* name) { return Identifier::FromSchema(name); }

TEST(BulkSql, InsertTemplatesHaveOnePlaceholderPerCell) {
  Query q = InsertTemplate(Id("t"), {Id("a"), Id("b")}, 2, OnConflict::kIgnore);
  EXPECT_EQ(q.text, "INSERT OR IGNORE INTO \"t\" (\"a\", \"b\") VALUES (?, ?), (?, ?)");
  EXPECT_EQ(q.params.size(), 4u);
}

TEST(BulkSql, UpsertWritesOnlyTheGivenColumns) {
  EXPECT_EQ(UpsertTemplate(Id("t"), {Id("id"), Id("name")}, {Id("id")}).text,
            "INSERT INTO \"t\" (\"id\", \"name\") VALUES (?, ?) ON CONFLICT (\"id\") DO UPDATE "
            "SET \"name\" = excluded.\"name\"");
  EXPECT_EQ(UpsertTemplate(Id("t"), {Id("ID")}, {Id("id")}).text,
            "INSERT INTO \"t\" (\"ID\") VALUES (?) ON CONFLICT (\"id\") DO NOTHING");
}

TEST(BulkSql, DefaultsFollowSqliteUtils) {
  EXPECT_EQ(DefaultForValue("5"), "'5'");
  EXPECT_EQ(DefaultForValue("it's"), "'it''s'");
  EXPECT_EQ(DefaultForValue("'quoted'"), "'quoted'");
  EXPECT_EQ(DefaultForValue("current_timestamp"), "current_timestamp");
  EXPECT_EQ(DefaultForValue("NULL"), "NULL");
  EXPECT_EQ(DefaultForValue("datetime('now')"), "datetime('now')");
}

TEST(BulkSql, RowsSelectQuotesNames) {
  EXPECT_EQ(SelectRowsSql("t\"x", {"a"}, "a > 1", "a desc", 0, 5),
            "select \"a\" from \"t\"\"x\" where a > 1 order by a desc limit -1 offset 5");
  EXPECT_EQ(SelectRowsSql("t", {}, "", "", 3, 0), "select * from \"t\" limit 3");
}

TEST(DdlSql, IndexAndFtsText) {
  std::vector<IndexColumn> cols = {{"name", false, ""}, {"age", true, ""}};
  EXPECT_EQ(DefaultIndexName("my table", cols), "idx_my_table_name_age");
  EXPECT_EQ(CreateIndexSql("i", "t", cols, true, true),
            "CREATE UNIQUE INDEX IF NOT EXISTS \"i\"\n    ON \"t\" (\"name\", \"age\" desc)");
  EXPECT_EQ(RebuiltIndexSql("i", "t", {{"a", true, "NOCASE"}}, false),
            "CREATE INDEX \"i\" ON \"t\" (\"a\" COLLATE \"NOCASE\" DESC)");
  EXPECT_EQ(CreateFtsSql("t", {"a", "b"}, "FTS5", "porter"),
            "CREATE VIRTUAL TABLE \"t_fts\" USING FTS5 (\n    \"a\", \"b\",\n    "
            "tokenize='porter',\n    content=\"t\"\n)");
  EXPECT_EQ(PopulateFtsSql("t", {"a"}),
            "INSERT INTO \"t_fts\" (rowid, \"a\")\n    SELECT rowid, \"a\" FROM \"t\"");
}

TEST(DdlSql, RebuildCopyKeepsRowidsAndEmptiesNumbers) {
  EXPECT_EQ(CopyForRebuildSql("t", "t_new", {{"a", "b"}, {"n", "n"}}, {false, true}, true),
            "INSERT INTO \"t_new\" (rowid, \"b\", \"n\")\n   SELECT rowid, \"a\", NULLIF(\"n\", "
            "'') FROM \"t\"");
}

}  // namespace
}  // namespace almanac::sql
