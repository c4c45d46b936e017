#include "sql/facet_sql.h"

#include <gtest/gtest.h>

namespace almanac::sql {
namespace {

FacetSource Source(std::string where = "") {
  FacetSource s;
  s.table = Identifier::FromSchema("big");
  if (!where.empty()) s.where = Query{where, {Value::Text("x")}};
  s.inner = Query{"select id, d from big ", {}};
  return s;
}

TEST(FacetSql, ColumnFacetGroupsNonNullValues) {
  Query q = BuildFacetQuery(FacetKind::kColumn, Source(), Identifier::FromSchema("d"), 31);
  EXPECT_EQ(q.text,
            "select d as value, count(*) as count from big where d is not null group by d "
            "order by count desc, value limit 31");
  EXPECT_TRUE(q.params.empty());
}

TEST(FacetSql, DateFacetGroupsByDateAndKeepsFilters) {
  Query q = BuildFacetQuery(FacetKind::kDate, Source("a = ?"), Identifier::FromSchema("day"), 5);
  EXPECT_EQ(q.text,
            "select date(day) as value, count(*) as count from big where a = ? and date(day) is "
            "not null group by date(day) order by count desc, value limit 5");
  EXPECT_EQ(q.params, std::vector<Value>{Value::Text("x")});
}

TEST(FacetSql, ChunkQueryBindsTheRowidRange) {
  Query q = BuildFacetChunkQuery(FacetKind::kColumn, Source("a = ?"), Identifier::FromSchema("d"),
                                 1, 500);
  EXPECT_EQ(
      q.text,
      "select d as value from big where rowid >= ? and rowid <= ? and a = ? and d is not null");
  EXPECT_EQ(q.params,
            (std::vector<Value>{Value::Integer(1), Value::Integer(500), Value::Text("x")}));
}

TEST(FacetSql, RowidRangeReadsBothEnds) {
  EXPECT_EQ(BuildRowidRange(Identifier::FromSchema("big")).text,
            "select (select min(rowid) from big), (select max(rowid) from big)");
}

TEST(FacetSql, SqliteOrderOfValues) {
  EXPECT_LT(CompareSqlValues(Value::Integer(2), Value::Real(2.5)), 0);
  EXPECT_EQ(CompareSqlValues(Value::Integer(1), Value::Real(1.0)), 0);
  EXPECT_LT(CompareSqlValues(Value::Real(1e300), Value::Text("")), 0);
  EXPECT_LT(CompareSqlValues(Value::Text("B"), Value::Text("a")), 0);
  EXPECT_LT(CompareSqlValues(Value::Text("zz"), Value::BlobOf("a")), 0);
  EXPECT_GT(CompareSqlValues(Value::Integer(-1), Value::Real(-1.5)), 0);
}

TEST(FacetMerge, SumsChunksAndOrdersByCountThenValue) {
  std::vector<std::vector<FacetCount>> chunks = {
      {{Value::Text("b"), 2}, {Value::Text("a"), 1}, {Value::Integer(7), 1}},
      {{Value::Text("a"), 2}, {Value::Text("c"), 3}},
      {{Value::Real(7.0), 2}},
  };
  std::vector<FacetCount> merged = MergeFacetCounts(chunks, 0);
  ASSERT_EQ(merged.size(), 4u);
  // Ties on 3: 7 (a number) sorts before "a" and "c" (text).
  EXPECT_EQ(merged[0].value, Value::Integer(7));  // 1 + 2, named by the first one seen
  EXPECT_EQ(merged[0].count, 3);
  EXPECT_EQ(merged[1].value, Value::Text("a"));
  EXPECT_EQ(merged[2].value, Value::Text("c"));
  EXPECT_EQ(merged[3].value, Value::Text("b"));
  EXPECT_EQ(merged[3].count, 2);
}

TEST(FacetMerge, KeepsOnlyTheLimit) {
  std::vector<std::vector<FacetCount>> chunks = {
      {{Value::Text("x"), 1}, {Value::Text("y"), 5}, {Value::Text("z"), 3}}};
  std::vector<FacetCount> merged = MergeFacetCounts(chunks, 2);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].value, Value::Text("y"));
  EXPECT_EQ(merged[1].value, Value::Text("z"));
}

TEST(FacetMerge, EmptyChunks) { EXPECT_TRUE(MergeFacetCounts({{}, {}}, 10).empty()); }

}  // namespace
}  // namespace almanac::sql
