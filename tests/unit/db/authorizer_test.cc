#include "db/authorizer.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "db/execute.h"
#include "db_test_util.h"

namespace almanac::db {
namespace {

TEST(ReadOnlyDecision, AllowsReadsAndDeniesWrites) {
  EXPECT_EQ(ReadOnlyDecision(SQLITE_SELECT, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_READ, "t", "c"), SQLITE_OK);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_RECURSIVE, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_FUNCTION, nullptr, "upper"), SQLITE_OK);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "table_info", "t"), SQLITE_OK);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "user_version", nullptr), SQLITE_OK);

  EXPECT_EQ(ReadOnlyDecision(SQLITE_INSERT, "t", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_UPDATE, "t", "c"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_DELETE, "t", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_CREATE_TABLE, "t", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_DROP_TABLE, "t", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_ALTER_TABLE, "main", "t"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_ATTACH, "x.db", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_DETACH, "x", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_TRANSACTION, "BEGIN", nullptr), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_FUNCTION, nullptr, "load_extension"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_FUNCTION, nullptr, "LOAD_EXTENSION"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "journal_mode", "delete"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "writable_schema", "1"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "cache_size", "10"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "user_version", "5"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, "query_only", "0"), SQLITE_DENY);
  EXPECT_EQ(ReadOnlyDecision(SQLITE_PRAGMA, nullptr, nullptr), SQLITE_DENY);
}

class ExecuteUserTest : public testing::Test {
 protected:
  ExecuteUserTest()
      : db_("create table t (id integer primary key, name text);"
            "create index t_name on t (name);"
            "insert into t values (1, 'one'), (2, 'two');") {}

  Result<QueryResult> Run(std::string_view sql) {
    return ExecuteUser(db_.reader(), sql, Params{}, {});
  }

  void ExpectRefused(std::string_view sql) {
    Result<QueryResult> r = Run(sql);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << sql;
    EXPECT_EQ(r.status().message(), kNotSelectMessage) << sql;
  }

  TempDatabase db_;
};

TEST_F(ExecuteUserTest, AllowsReadOnlyStatements) {
  for (std::string_view sql : {
           "select * from t",
           "SELECT name FROM t WHERE id = 1",
           "with x as (select 1 as a) select * from x",
           "with recursive c(n) as (select 1 union all select n + 1 from c where n < 5) "
           "select count(*) from c",
           "select * from pragma_table_info('t')",
           "select name from pragma_index_list('t')",
           "pragma table_info(t)",
           "explain select * from t",
           "explain query plan select * from t",
           "select sqlite_version(), upper(name), json_object('a', 1) from t",
           "select * from sqlite_master",
           "  select 1 ;  -- trailing comment\n",
       }) {
    Result<QueryResult> r = Run(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  }
}

TEST_F(ExecuteUserTest, RefusesWritesAttachAndUnsafePragmas) {
  std::string attach_path = (db_.path().parent_path() / "attached_by_test.db").string();
  for (std::string sql : {
           std::string("insert into t (name) values ('x')"),
           std::string("update t set name = 'x'"),
           std::string("delete from t"),
           std::string("create table u (x)"),
           std::string("create index i on t (name)"),
           std::string("create view v as select 1"),
           std::string("drop table t"),
           std::string("alter table t add column c"),
           std::string("replace into t values (1, 'x')"),
           "attach database '" + attach_path + "' as other",
           std::string("attach ':memory:' as m"),
           std::string("detach database main"),
           std::string("pragma journal_mode=delete"),
           std::string("pragma writable_schema=1"),
           std::string("pragma query_only=0"),
           std::string("pragma cache_size=10"),
           std::string("pragma user_version=5"),
           std::string("pragma journal_mode"),
           std::string("vacuum"),
           "vacuum into '" + attach_path + "'",
           std::string("begin"),
           std::string("explain insert into t (name) values ('x')"),
           std::string("analyze"),
           std::string("reindex t_name"),
           std::string("reindex"),
       }) {
    ExpectRefused(sql);
  }
  // Refused by SQLite itself, with its own clear message (Datasette gives the same for
  // load_extension: Python's sqlite3 never enables extension loading).
  for (auto [sql, message] : {
           std::pair{"select load_extension('/tmp/nope.so')",
                     "not authorized to use function: load_extension"},
           std::pair{"update sqlite_master set sql = 'x'",
                     "table sqlite_master may not be modified"},
       }) {
    Result<QueryResult> r = Run(sql);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << sql;
    EXPECT_EQ(r.status().message(), message) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists(attach_path)) << "nothing may create files";
  // Nothing changed, and the connection still works.
  Result<QueryResult> r = Run("select count(*) from t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.at(0, 0), Value::Integer(2));
}

TEST_F(ExecuteUserTest, RefusesMoreThanOneStatement) {
  for (std::string_view sql :
       {"select 1; select 2", "select 1; delete from t", "select 1; -- c\n select 2"}) {
    Result<QueryResult> r = Run(sql);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "You can only execute one statement at a time.");
  }
  EXPECT_EQ(Run("select count(*) from t")->rows.at(0, 0), Value::Integer(2));
}

TEST_F(ExecuteUserTest, SyntaxErrorsAreInvalidArgument) {
  Result<QueryResult> r = Run("selec 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "near \"selec\": syntax error");
  Result<QueryResult> empty = Run("   ");
  EXPECT_FALSE(empty.ok());
}

TEST_F(ExecuteUserTest, NamedParametersAreBoundAsTextAndMissingOnesAsEmpty) {
  Result<QueryResult> r = ExecuteUser(db_.reader(), "select :a, :b, typeof(:a), :a || :a",
                                      Params{{"a", "5"}, {"unused", "x"}}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows.at(0, 0), Value::Text("5"));
  EXPECT_EQ(r->rows.at(0, 1), Value::Text(""));
  EXPECT_EQ(r->rows.at(0, 2), Value::Text("text"));
  EXPECT_EQ(r->rows.at(0, 3), Value::Text("55"));
  Result<std::vector<std::string>> names =
      ParameterNames(db_.reader(), "select :a, :b from t where id = :a");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace almanac::db
