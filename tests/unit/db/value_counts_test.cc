#include "db/value_counts.h"

#include <gtest/gtest.h>

namespace almanac::db {
namespace {

std::unique_ptr<Connection> Open() {
  OpenOptions options;
  options.path = "value_counts_test";
  options.read_only = false;
  options.memory = true;
  Result<std::unique_ptr<Connection>> conn = Connection::Open(options);
  EXPECT_TRUE(conn.ok());
  EXPECT_TRUE((*conn)->Exec("create table t (v)").ok());
  EXPECT_TRUE((*conn)
                  ->Exec("insert into t values (1), (1.0), ('1'), (null), ('a'), ('a'), (x'61'), "
                         "(2.5), (1)")
                  .ok());
  return std::move(conn).value();
}

TEST(CountValues, GroupsAsGroupByDoes) {
  std::unique_ptr<Connection> conn = Open();
  Result<std::vector<sql::FacetCount>> counts =
      CountValues(*conn, {"select v as value from t", {}}, Limits{}, 100);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  // 1, 1.0 and 1 are one number; '1' is text; x'61' is a blob, not the text 'a'; NULL skipped.
  ASSERT_EQ(counts->size(), 5u);
  EXPECT_EQ((*counts)[0].value, Value::Integer(1));
  EXPECT_EQ((*counts)[0].count, 3);
  EXPECT_EQ((*counts)[1].value, Value::Text("1"));
  EXPECT_EQ((*counts)[2].value, Value::Text("a"));
  EXPECT_EQ((*counts)[2].count, 2);
  EXPECT_EQ((*counts)[3].value, Value::BlobOf("a"));
  EXPECT_EQ((*counts)[4].value, Value::Real(2.5));
}

TEST(CountValues, GivesUpBeyondMaxGroups) {
  std::unique_ptr<Connection> conn = Open();
  Result<std::vector<sql::FacetCount>> counts =
      CountValues(*conn, {"select v as value from t", {}}, Limits{}, 2);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.status().code(), ErrorCode::kUnavailable);
}

TEST(CountValues, StopsAtTheDeadline) {
  std::unique_ptr<Connection> conn = Open();
  Limits limits;
  limits.deadline = Clock::now() - std::chrono::milliseconds(1);
  Result<std::vector<sql::FacetCount>> counts = CountValues(
      *conn,
      {"with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000000) "
       "select i % 3 as value from n",
       {}},
      limits, 100);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.status().code(), ErrorCode::kDeadlineExceeded);
}

TEST(CountValues, UserSqlMustBeReadOnly) {
  std::unique_ptr<Connection> conn = Open();
  sql::Query q{"select v as value from t where (1)", {}, /*has_user_sql=*/true};
  EXPECT_TRUE(CountValues(*conn, q, Limits{}, 100).ok());
}

}  // namespace
}  // namespace almanac::db
