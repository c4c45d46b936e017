#include "sql/query.h"

#include <gtest/gtest.h>

#include "sql/search.h"
#include "sql/table_select.h"

namespace almanac::sql {
namespace {

Identifier Id(const char* name) { return Identifier::FromSchema(name); }

TEST(EscapeIdentifier, BareWhenPlainAndNotAKeyword) {
  EXPECT_EQ(EscapeIdentifier("facetable"), "facetable");
  EXPECT_EQ(EscapeIdentifier("_city_id"), "_city_id");
  EXPECT_EQ(EscapeIdentifier("group"), "\"group\"");
  EXPECT_EQ(EscapeIdentifier("Select"), "\"Select\"");
  EXPECT_EQ(EscapeIdentifier("1abc"), "\"1abc\"");
  EXPECT_EQ(EscapeIdentifier("with space"), "\"with space\"");
  EXPECT_EQ(EscapeIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(EscapeIdentifier(""), "\"\"");
}

TEST(EscapeIdentifier, KnowsSqliteKeywords) {
  EXPECT_TRUE(IsSqlKeyword("current_timestamp"));
  EXPECT_TRUE(IsSqlKeyword("WINDOW"));
  EXPECT_TRUE(IsSqlKeyword("abort"));
  EXPECT_TRUE(IsSqlKeyword("without"));
  EXPECT_FALSE(IsSqlKeyword("rowid"));
  EXPECT_FALSE(IsSqlKeyword("name"));
}

TEST(NamedParams, NumbersPlaceholdersOutsideQuotes) {
  NamedQuery q = ToNamedParams(Query{"select \"a?\" from t where x = ? and y = '?' and z = ?",
                                     {Value::Integer(1), Value::Text("b")}});
  EXPECT_EQ(q.sql, "select \"a?\" from t where x = :p0 and y = '?' and z = :p1");
  ASSERT_EQ(q.params.size(), 2u);
  EXPECT_EQ(q.params[1].first, "p1");
  EXPECT_EQ(q.params[1].second, Value::Text("b"));
}

TEST(WhereFragment, AcceptsClosedExpressions) {
  EXPECT_TRUE(WhereFragment::Check("_city_id in (select id from facet_cities)").ok());
  EXPECT_TRUE(WhereFragment::Check("name = 'it''s (not) -- a comment'").ok());
  EXPECT_TRUE(WhereFragment::Check("\"odd)name\" > 1").ok());
}

TEST(WhereFragment, RejectsWhatCouldEscapeItsParentheses) {
  for (const char* bad : {"1) or (1", "1) union select * from sqlite_master --", "1 --",
                          "1 /* x */", "1; drop table t", "(1", "x = 'open", "pk > ?", "pk = :p0",
                          "id in (select #id from t)", "pk = @p", "pk = $p", "", "   "}) {
    EXPECT_FALSE(WhereFragment::Check(bad).ok()) << bad;
  }
}

TEST(WhereFragment, MarksTheQueryAsUserSql) {
  QueryBuilder b;
  b.Add("x = 1 and ").Add(*WhereFragment::Check("y > 2"));
  Query q = std::move(b).Build();
  EXPECT_EQ(q.text, "x = 1 and (y > 2)");
  EXPECT_TRUE(q.has_user_sql);
  QueryBuilder outer;
  outer.Add("select * from t where ").Append(q);
  EXPECT_TRUE(std::move(outer).Build().has_user_sql);
}

TEST(EscapeFts, QuotesTermsAndKeepsPhrases) {
  EXPECT_EQ(EscapeFts("te*"), "\"te*\"");
  EXPECT_EQ(EscapeFts("dog cat"), "\"dog\" \"cat\"");
  EXPECT_EQ(EscapeFts("\"terry dog\" cat"), "\"terry dog\" \"cat\"");
  EXPECT_EQ(EscapeFts("\"unbalanced"), "\"unbalanced\"");
  EXPECT_EQ(EscapeFts("a\"b c\"d"), "\"a\" \"b c\" \"d\"");
  EXPECT_EQ(EscapeFts("\"\" x"), "\"x\"");
  EXPECT_EQ(EscapeFts("  "), "");
}

TEST(SearchClause, BindsTheMatch) {
  Query q = SearchClause(Id("rowid"), Id("searchable_fts"), std::nullopt, "\"dog\"");
  EXPECT_EQ(q.text, "rowid in (select rowid from searchable_fts where searchable_fts match ?)");
  EXPECT_EQ(q.params, std::vector<Value>{Value::Text("\"dog\"")});
  Query col = SearchClause(Id("pk"), Id("fts"), Id("name with . and spaces"), "x");
  EXPECT_EQ(col.text, "pk in (select rowid from fts where \"name with . and spaces\" match ?)");
}

TableSelect Facetable() {
  TableSelect s;
  s.table = Id("facetable");
  s.columns = {Id("pk"), Id("state")};
  s.all_columns = s.columns;
  s.primary_keys = {Id("pk")};
  s.limit = 2;
  return s;
}

TEST(TableSelect, DatasetteSpelling) {
  TableSelect s = Facetable();
  EXPECT_EQ(BuildSelect(s).text, "select pk, state from facetable order by pk limit 2");
  EXPECT_EQ(BuildCountDisplay(s).text, "select count(*) from facetable ");
  s.where.push_back(Query{"state = ?", {Value::Text("CA")}});
  EXPECT_EQ(BuildCappedCount(s, 10001).text,
            "select count(*) from (select * from facetable where state = ? limit 10001)");
  EXPECT_EQ(BuildInnerSelect(s).text, "select pk, state from facetable where state = ? ");
}

TEST(TableSelect, KeysetAfterSortValueAndPrimaryKey) {
  TableSelect s = Facetable();
  s.sort = Id("state");
  s.sort_descending = true;
  s.after_keys = std::vector<Value>{Value::Text("6")};
  s.after_sort_value = Value::Text("CA");
  Query q = BuildSelect(s);
  EXPECT_EQ(q.text,
            "select pk, state from facetable where (state < ? or state is null or (state = ? "
            "and ((pk > ?)))) order by state desc, pk limit 2");
  EXPECT_EQ(q.params.size(), 3u);
}

TEST(TableSelect, KeysetAfterNullSortValue) {
  TableSelect s = Facetable();
  s.sort = Id("state");
  s.after_keys = std::vector<Value>{Value::Text("6")};
  EXPECT_EQ(BuildSelect(s).text,
            "select pk, state from facetable where (state is not null or (state is null and "
            "((pk > ?)))) order by state, pk limit 2");
}

TEST(TableSelect, ViewsSortAndPageByOffset) {
  TableSelect s;
  s.table = Id("simple_view");
  s.columns = {Id("content")};
  s.is_view = true;
  s.limit = 6;
  EXPECT_EQ(BuildSelect(s).text, "select content from simple_view  limit 6");
  s.sort = Id("content");
  s.offset = 5;
  EXPECT_EQ(BuildSelect(s).text,
            "select content from simple_view order by content limit 6 offset 5");
}

TEST(TableSelect, RowidTables) {
  TableSelect s;
  s.table = Id("no_primary_key");
  s.columns = {Id("content")};
  s.use_rowid = true;
  s.after_keys = std::vector<Value>{Value::Text("100")};
  s.limit = 101;
  EXPECT_EQ(BuildSelect(s).text,
            "select rowid, content from no_primary_key where rowid > ? order by rowid limit 101");
}

}  // namespace
}  // namespace almanac::sql
