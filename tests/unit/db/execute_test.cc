#include "db/execute.h"

#include <chrono>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "db_test_util.h"

namespace almanac::db {
namespace {

constexpr std::string_view kForever =
    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";

class ExecuteTest : public testing::Test {
 protected:
  ExecuteTest()
      : db_("create table t (id integer primary key, v);"
            "with recursive c(x) as (select 1 union all select x + 1 from c where x < 50) "
            "insert into t select x, x * 2 from c;") {}
  TempDatabase db_;
};

Limits Deadline(std::chrono::milliseconds from_now) {
  Limits limits;
  limits.deadline = Clock::now() + from_now;
  return limits;
}

TEST_F(ExecuteTest, DeadlineInterruptsARecursiveCte) {
  Result<QueryResult> r = Execute(db_.reader(), sql::Query{std::string(kForever), {}},
                                  Deadline(std::chrono::milliseconds(20)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), kTimeLimitMessage);
}

TEST_F(ExecuteTest, DeadlineInterruptsUserSql) {
  Result<QueryResult> r =
      ExecuteUser(db_.reader(), kForever, Params{}, Deadline(std::chrono::milliseconds(20)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), kTimeLimitMessage);
}

TEST_F(ExecuteTest, ConnectionWorksAfterATimeout) {
  ASSERT_FALSE(
      ExecuteUser(db_.reader(), kForever, Params{}, Deadline(std::chrono::milliseconds(5))).ok());
  // The deadline is cleared: a query without one runs to completion on the same connection.
  Result<QueryResult> r = ExecuteUser(db_.reader(), "select count(*) from t", Params{}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows.at(0, 0), Value::Integer(50));
  Result<QueryResult> b = Execute(db_.reader(), sql::Query{"select max(v) from t", {}}, {});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->rows.at(0, 0), Value::Integer(100));
}

TEST_F(ExecuteTest, MaxRowsTruncates) {
  Limits limits;
  limits.max_rows = 10;
  Result<QueryResult> r =
      Execute(db_.reader(), sql::Query{"select id from t order by id", {}}, limits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 10u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->rows.columns, (std::vector<std::string>{"id"}));
  EXPECT_EQ(r->rows.at(9, 0), Value::Integer(10));

  limits.max_rows = 50;
  Result<QueryResult> exact = ExecuteUser(db_.reader(), "select id from t", Params{}, limits);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->rows.size(), 50u);
  EXPECT_FALSE(exact->truncated) << "exactly max_rows rows is not truncated";

  limits.max_rows = 49;
  Result<QueryResult> user = ExecuteUser(db_.reader(), "select id from t", Params{}, limits);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->rows.size(), 49u);
  EXPECT_TRUE(user->truncated);
}

TEST_F(ExecuteTest, BoundParametersAndTypes) {
  sql::Query q{"select id, v, ?, ?, ? from t where id = ?",
               {Value::Real(1.5), Value::BlobOf("\x01\x02"), Value::Null(), Value::Integer(3)}};
  Result<QueryResult> r = Execute(db_.reader(), q, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows.at(0, 0), Value::Integer(3));
  EXPECT_EQ(r->rows.at(0, 1), Value::Integer(6));
  EXPECT_EQ(r->rows.at(0, 2), Value::Real(1.5));
  EXPECT_EQ(r->rows.at(0, 3), Value::BlobOf("\x01\x02"));
  EXPECT_TRUE(r->rows.at(0, 4).is_null());
}

TEST_F(ExecuteTest, WrongParameterCountIsAnError) {
  Result<QueryResult> r = Execute(db_.reader(), sql::Query{"select ?", {}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
}

TEST_F(ExecuteTest, CachedStatementsAreNotSharedWhileInUse) {
  Connection& conn = db_.reader();
  sql::Query q{"select id from t where id > ? order by id", {Value::Integer(0)}};
  Result<Statement> a = conn.Prepare(q);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(*a->Step());
  EXPECT_EQ(a->ColumnInt(0), 1);
  sql::Query q2{q.text, {Value::Integer(10)}};
  Result<Statement> b = conn.Prepare(q2);  // same text while `a` is still stepping
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(*b->Step());
  EXPECT_EQ(b->ColumnInt(0), 11);
  ASSERT_TRUE(*a->Step());
  EXPECT_EQ(a->ColumnInt(0), 2) << "the first statement kept its position";
}

}  // namespace
}  // namespace almanac::db

namespace almanac::db {
namespace {

// A statement's count of recompilations (SQLITE_STMTSTATUS_REPREPARE).
int Reprepares(Connection& conn, const sql::Query& query) {
  Result<Statement> stmt = conn.Prepare(query);
  EXPECT_TRUE(stmt.ok());
  EXPECT_TRUE(stmt->Step().ok());
  return sqlite3_stmt_status(stmt->handle(), SQLITE_STMTSTATUS_REPREPARE, 0);
}

TEST_F(ExecuteTest, UserSqlDoesNotRecompileTheConnectionsCachedStatements) {
  // Switching the read-only authorizer on used to expire every prepared statement of the
  // connection (sqlite3_set_authorizer does), so each was compiled again at its next use.
  sql::Query count{"select count(*) from t", {}};
  std::string_view user = "select v from t where id = 1";
  // The first user statement installs the authorizer: the one expiry.
  ASSERT_TRUE(ExecuteUser(db_.reader(), user, Params{}, Limits{}).ok());
  int installed = Reprepares(db_.reader(), count);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(ExecuteUser(db_.reader(), user, Params{}, Limits{}).ok());
    EXPECT_EQ(Reprepares(db_.reader(), count), installed);
  }
}

TEST_F(ExecuteTest, TheReadOnlyAuthorizerHoldsForUserSqlOnlyAfterBeingSwitched) {
  for (int i = 0; i < 2; ++i) {
    Result<QueryResult> denied =
        ExecuteUser(db_.reader(), "select load_extension('x')", Params{}, Limits{});
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.status().code(), ErrorCode::kInvalidArgument);
    // Builder SQL, after it, may use what users may not.
    EXPECT_TRUE(db_.reader().Exec("PRAGMA cache_size=-4000").ok());
  }
}

}  // namespace
}  // namespace almanac::db
