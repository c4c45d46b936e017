#include "db/user_sql_caps.h"

#include <gtest/gtest.h>

#include "db/execute.h"
#include "db_test_util.h"

namespace almanac::db {
namespace {

class UserSqlCapsTest : public testing::Test {
 protected:
  UserSqlCapsTest() : db_("create table t (id integer primary key, v);") {}
  ~UserSqlCapsTest() override { SetUserSqlCaps(UserSqlCaps{}); }

  Result<QueryResult> User(std::string_view sql) {
    return ExecuteUser(db_.reader(), sql, Params{}, Limits{});
  }
  Result<QueryResult> Builder(std::string sql) {
    return Execute(db_.reader(), sql::Query{std::move(sql), {}}, Limits{});
  }
  TempDatabase db_;
};

TEST_F(UserSqlCapsTest, AValueOverTheCapIsRefusedInPlainWords) {
  Result<QueryResult> r = User("select length(randomblob(900000000))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), ValueTooLargeMessage());
  EXPECT_EQ(r.status().message(),
            "The query built a string or blob larger than 16 MB, the limit for one value");
  Result<QueryResult> zero = User("select length(zeroblob(17000000))");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), ValueTooLargeMessage());
}

TEST_F(UserSqlCapsTest, TheCapIsRestoredForBuilderSql) {
  ASSERT_FALSE(User("select length(zeroblob(20000000))").ok());
  Result<QueryResult> r = Builder("select length(zeroblob(20000000))");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows.at(0, 0), Value::Integer(20000000));
}

TEST_F(UserSqlCapsTest, ValuesUnderTheCapAreFine) {
  Result<QueryResult> r = User("select length(randomblob(1000000))");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows.at(0, 0), Value::Integer(1000000));
}

TEST_F(UserSqlCapsTest, HugePrintfWidthsAreRefusedBeforeTheyRun) {
  for (const char* sql :
       {"select printf('%.*c', 900000000, 'x')", "select format('%.*c', 900000000, 'x')",
        "select printf('%900000000d', 1)", "select printf('%.900000000f', 1.5)",
        "select printf('%*s', -900000000, 'x')",
        "select printf('%.9000000c%.9000000c', 'x', 'y')"}) {
    Result<QueryResult> r = User(sql);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << sql;
    EXPECT_EQ(r.status().message(), PrintfTooLargeMessage()) << sql;
  }
}

TEST_F(UserSqlCapsTest, PrintfAndFormatStillFormatAsSqlite) {
  Result<QueryResult> r = User(
      "select printf('%5.2f|%s|%d|%03d', 3.14159, 'x', 42, 7), format('%*d|%-4s|', 5, 42, 'ab'),"
      " printf('%q %Q %w', 'it''s', 'a', 'b\"c'), printf('%.3c', 'z'), printf(null),"
      " printf('%!.3g %,d %%', 1e10, 1234567), printf('no args'), typeof(printf('%d', 1))");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows.at(0, 0), Value::Text(" 3.14|x|42|007"));
  EXPECT_EQ(r->rows.at(0, 1), Value::Text("   42|ab  |"));
  EXPECT_EQ(r->rows.at(0, 2), Value::Text("it''s 'a' b\"\"c"));
  EXPECT_EQ(r->rows.at(0, 3), Value::Text("zzz"));
  EXPECT_EQ(r->rows.at(0, 4), Value::Null());
  EXPECT_EQ(r->rows.at(0, 5), Value::Text("1.0e+10 1,234,567 %"));
  EXPECT_EQ(r->rows.at(0, 6), Value::Text("no args"));
  EXPECT_EQ(r->rows.at(0, 7), Value::Text("text"));
}

TEST_F(UserSqlCapsTest, TheResultAsAWholeIsCapped) {
  SetUserSqlCaps({1 << 20, 2 << 20});
  Result<QueryResult> r = User(
      "with recursive c(x) as (select 1 union all select x + 1 from c where x < 10) "
      "select zeroblob(500000) from c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "The query's results are larger than 2 MB, the limit for one query");
  Result<QueryResult> fits = User(
      "with recursive c(x) as (select 1 union all select x + 1 from c where x < 3) "
      "select zeroblob(500000) from c");
  EXPECT_TRUE(fits.ok()) << fits.status().message();
}

TEST(PrintfPaddingBound, SumsWidthsAndPrecisions) {
  EXPECT_EQ(PrintfPaddingBound("plain %% text", {}), 0);
  EXPECT_EQ(PrintfPaddingBound("%5d %.3f %10.2e", {}), 5 + 3 + 12);
  EXPECT_EQ(PrintfPaddingBound("%.100s", {}), 0) << "a string's precision only cuts it";
  EXPECT_EQ(PrintfPaddingBound("%*d %.*c", {7, 1, -9, 0}), 7 + 9);
  EXPECT_EQ(PrintfPaddingBound("%-08lld|%!,.4g", {}), 8 + 4);
  EXPECT_GT(PrintfPaddingBound("%99999999999999999999999d", {}), int64_t{1} << 31);
  EXPECT_EQ(PrintfPaddingBound("%", {}), 0);
}

}  // namespace
}  // namespace almanac::db
