#include "sql/table_select.h"

#include <gtest/gtest.h>

namespace almanac::sql {
namespace {

Identifier Id(std::string name) { return Identifier::FromSchema(std::move(name)); }

TableSelect ThreeKeys() {
  TableSelect s;
  s.table = Id("compound_three_primary_keys");
  s.columns = {Id("pk1"), Id("pk2"), Id("pk3"), Id("content")};
  s.primary_keys = {Id("pk1"), Id("pk2"), Id("pk3")};
  return s;
}

TEST(Identifier, QuotesAndDoublesInnerQuotes) {
  EXPECT_EQ(Id("plain").Quoted(), "\"plain\"");
  EXPECT_EQ(Id("with \"quotes\"").Quoted(), "\"with \"\"quotes\"\"\"");
  EXPECT_EQ(Id("semi; drop table x; --").Quoted(), "\"semi; drop table x; --\"");
}

TEST(BuildSelect, FirstPageOrdersByPrimaryKeys) {
  Query q = BuildSelect(ThreeKeys());
  EXPECT_EQ(q.text,
            "select \"pk1\", \"pk2\", \"pk3\", \"content\" from \"compound_three_primary_keys\" "
            "order by \"pk1\", \"pk2\", \"pk3\" limit 101");
  EXPECT_TRUE(q.params.empty());
}

TEST(BuildSelect, KeysetPaginationOnCompoundKeys) {
  TableSelect s = ThreeKeys();
  s.after_keys = std::vector<Value>{Value::Text("a"), Value::Text("b"), Value::Text("c")};
  s.limit = 3;
  Query q = BuildSelect(s);
  // Datasette's compound_keys_after_sql, with positional parameters.
  EXPECT_EQ(q.text,
            "select \"pk1\", \"pk2\", \"pk3\", \"content\" from \"compound_three_primary_keys\" "
            "where ((\"pk1\" > ?)\n  or\n(\"pk1\" = ? and \"pk2\" > ?)\n  or\n"
            "(\"pk1\" = ? and \"pk2\" = ? and \"pk3\" > ?)) "
            "order by \"pk1\", \"pk2\", \"pk3\" limit 3");
  EXPECT_EQ(q.params, (std::vector<Value>{Value::Text("a"), Value::Text("a"), Value::Text("b"),
                                          Value::Text("a"), Value::Text("b"), Value::Text("c")}));
}

TEST(BuildSelect, KeysAfterWrongArityIsIgnored) {
  TableSelect s = ThreeKeys();
  s.after_keys = std::vector<Value>{Value::Text("a")};
  Query q = BuildSelect(s);
  EXPECT_EQ(q.text, BuildSelect(ThreeKeys()).text);
  EXPECT_TRUE(q.params.empty());
}

TEST(BuildSelect, RowidTables) {
  TableSelect s;
  s.table = Id("no_primary_key");
  s.columns = {Id("content"), Id("a")};
  s.use_rowid = true;
  EXPECT_EQ(BuildSelect(s).text,
            "select rowid, \"content\", \"a\" from \"no_primary_key\" order by rowid limit 101");
  s.after_keys = std::vector<Value>{Value::Integer(5)};
  Query q = BuildSelect(s);
  EXPECT_EQ(q.text,
            "select rowid, \"content\", \"a\" from \"no_primary_key\" where rowid > ? "
            "order by rowid limit 101");
  EXPECT_EQ(q.params, (std::vector<Value>{Value::Integer(5)}));
}

TEST(BuildSelect, WhereClausesAreAndedBeforeTheKeyset) {
  TableSelect s = ThreeKeys();
  s.where.push_back(Query{"\"pk1\" = ?", {Value::Text("x")}});
  s.where.push_back(Query{"\"content\" like ?", {Value::Text("%y%")}});
  s.after_keys = std::vector<Value>{Value::Text("a"), Value::Text("b"), Value::Text("c")};
  Query q = BuildSelect(s);
  EXPECT_TRUE(q.text.find("where \"pk1\" = ? and \"content\" like ? and ((\"pk1\" > ?)") !=
              std::string::npos)
      << q.text;
  ASSERT_EQ(q.params.size(), 8u);
  EXPECT_EQ(q.params[0], Value::Text("x"));
  EXPECT_EQ(q.params[1], Value::Text("%y%"));
  EXPECT_EQ(q.params[2], Value::Text("a"));
}

TableSelect SortedFacets() {
  TableSelect s;
  s.table = Id("facetable");
  s.columns = {Id("pk"), Id("state")};
  s.primary_keys = {Id("pk")};
  s.sort = Id("state");
  return s;
}

TEST(BuildSelect, SortAddsPrimaryKeyTieBreak) {
  TableSelect s = SortedFacets();
  EXPECT_EQ(BuildSelect(s).text,
            "select \"pk\", \"state\" from \"facetable\" order by \"state\", \"pk\" limit 101");
  s.sort_descending = true;
  EXPECT_EQ(BuildSelect(s).text,
            "select \"pk\", \"state\" from \"facetable\" order by \"state\" desc, \"pk\" "
            "limit 101");
}

TEST(BuildSelect, SortedKeysetAscending) {
  TableSelect s = SortedFacets();
  s.after_keys = std::vector<Value>{Value::Integer(7)};
  s.after_sort_value = Value::Text("CA");
  Query q = BuildSelect(s);
  EXPECT_EQ(q.text,
            "select \"pk\", \"state\" from \"facetable\" "
            "where (\"state\" > ? or (\"state\" = ? and ((\"pk\" > ?)))) "
            "order by \"state\", \"pk\" limit 101");
  EXPECT_EQ(q.params,
            (std::vector<Value>{Value::Text("CA"), Value::Text("CA"), Value::Integer(7)}));
}

TEST(BuildSelect, SortedKeysetDescendingIncludesNulls) {
  TableSelect s = SortedFacets();
  s.sort_descending = true;
  s.after_keys = std::vector<Value>{Value::Integer(7)};
  s.after_sort_value = Value::Text("CA");
  Query q = BuildSelect(s);
  EXPECT_EQ(q.text,
            "select \"pk\", \"state\" from \"facetable\" "
            "where (\"state\" < ? or \"state\" is null or (\"state\" = ? and ((\"pk\" > ?)))) "
            "order by \"state\" desc, \"pk\" limit 101");
  EXPECT_EQ(q.params,
            (std::vector<Value>{Value::Text("CA"), Value::Text("CA"), Value::Integer(7)}));
}

TEST(BuildSelect, SortedKeysetFromNullCursor) {
  TableSelect s = SortedFacets();
  s.after_keys = std::vector<Value>{Value::Integer(3)};
  s.after_sort_is_null = true;  // _next=$null,3
  Query asc = BuildSelect(s);
  EXPECT_EQ(asc.text,
            "select \"pk\", \"state\" from \"facetable\" "
            "where (\"state\" is not null or (\"state\" is null and ((\"pk\" > ?)))) "
            "order by \"state\", \"pk\" limit 101");
  EXPECT_EQ(asc.params, (std::vector<Value>{Value::Integer(3)}));
  s.sort_descending = true;
  Query desc = BuildSelect(s);
  EXPECT_EQ(desc.text,
            "select \"pk\", \"state\" from \"facetable\" "
            "where (\"state\" is null and ((\"pk\" > ?))) "
            "order by \"state\" desc, \"pk\" limit 101");
  EXPECT_EQ(desc.params, (std::vector<Value>{Value::Integer(3)}));
}

TEST(BuildSelect, ViewsPageByOffsetWithoutOrder) {
  TableSelect s;
  s.table = Id("simple_view");
  s.columns = {Id("content")};
  s.is_view = true;
  s.offset = 200;
  s.limit = 51;
  // (Two spaces where the where and order by clauses would be.)
  EXPECT_EQ(BuildSelect(s).text, "select \"content\" from \"simple_view\"  limit 51 offset 200");
  s.offset = 0;
  EXPECT_EQ(BuildSelect(s).text, "select \"content\" from \"simple_view\"  limit 51");
}

TEST(BuildCount, CountsWithFiltersOnly) {
  TableSelect s = ThreeKeys();
  EXPECT_EQ(BuildCount(s).text, "select count(*) from \"compound_three_primary_keys\" ");
  s.where.push_back(Query{"\"pk1\" = ?", {Value::Text("x")}});
  s.after_keys = std::vector<Value>{Value::Text("a"), Value::Text("b"), Value::Text("c")};
  Query q = BuildCount(s);
  EXPECT_EQ(q.text, "select count(*) from \"compound_three_primary_keys\" where \"pk1\" = ? ");
  EXPECT_EQ(q.params, (std::vector<Value>{Value::Text("x")}));
}

TEST(KeysAfter, SingleKey) {
  Query q = KeysAfter({Id("id")}, {Value::Integer(10)});
  EXPECT_EQ(q.text, "((\"id\" > ?))");
  EXPECT_EQ(q.params, (std::vector<Value>{Value::Integer(10)}));
}

}  // namespace
}  // namespace almanac::sql
