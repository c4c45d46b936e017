// Datasette's validate_sql_select, case by case (datasette/utils/__init__.py and its
// tests/test_utils.py test_validate_sql_select_*).
#include "sql/select_check.h"

#include <gtest/gtest.h>

namespace almanac::sql {
namespace {

constexpr const char* kNotSelect = "Statement must be a SELECT";

std::string Refusal(std::string_view sql) { return ValidateSqlSelect(sql).message(); }

TEST(ValidateSqlSelect, AllowsSelectsWithAndExplain) {
  for (const char* sql :
       {"select 1", "SELECT * FROM t", "  select\n1", "with x as (select 1) select * from x",
        "explain select 1", "explain query plan select 1",
        "EXPLAIN  QUERY\nPLAN WITH x AS (SELECT 1) SELECT 1", "-- comment\nselect 1",
        "/* c */ select 1", "/* a */ -- b\n /* c */select 1",
        "select name from pragma_table_info('t')", "select * from pragma_table_xinfo('t')",
        "select * from pragma_index_list('t')", "select * from pragma_database_list"}) {
    EXPECT_TRUE(ValidateSqlSelect(sql).ok()) << sql;
  }
}

TEST(ValidateSqlSelect, RefusesOtherStatements) {
  for (const char* sql : {"update t set a = 1", "attach database 'x.db' as x", "PRAGMA cache_size",
                          ".schema", "selectx 1", "explain update t set a = 1", "", "   ",
                          "-- only a comment", "vacuum", "/* unterminated select 1"}) {
    Status s = ValidateSqlSelect(sql);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << sql;
    EXPECT_EQ(s.message(), kNotSelect) << sql;
  }
}

TEST(ValidateSqlSelect, RefusesPragmasOutsideTheAllowedFunctions) {
  std::string message = Refusal("select * from pragma_cache_size()");
  EXPECT_EQ(message,
            "Statement contained a disallowed PRAGMA. Allowed pragma functions are "
            "pragma_database_list(), pragma_foreign_key_list(), pragma_function_list(), "
            "pragma_index_info(), pragma_index_list(), pragma_index_xinfo(), "
            "pragma_page_count(), pragma_max_page_count(), pragma_page_size(), "
            "pragma_schema_version(), pragma_table_info(), pragma_table_xinfo(), "
            "pragma_table_list()");
  // Anywhere in the text, as Datasette searches it (even inside a string).
  EXPECT_EQ(Refusal("select 'pragma' as x"), message);
  EXPECT_EQ(Refusal("select 1; PRAGMA user_version = 5"), message);
}

}  // namespace
}  // namespace almanac::sql
