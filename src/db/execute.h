// Running queries with Datasette's limits: a deadline (sql_time_limit_ms, via the progress
// handler), a row cap (max_returned_rows) that sets `truncated`, and for arbitrary SQL a
// read-only check (sqlite3_stmt_readonly plus the authorizer) and the caps of user_sql_caps.h.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "db/rows.h"
#include "sql/query.h"

namespace almanac::db {

// The message for arbitrary SQL that would write, attach, or run an unsafe pragma.
inline constexpr std::string_view kNotSelectMessage = "Statement must be a SELECT";

struct Limits {
  int64_t max_rows = 0;  // 0 = no cap
  // Bytes of text and blob cells collected before the query fails (0 = no cap; user SQL
  // always has one, UserSqlCaps::max_result_bytes).
  int64_t max_bytes = 0;
  Clock::time_point deadline = Clock::time_point::max();
};

struct QueryResult {
  Rows rows;
  bool truncated = false;  // more rows existed than max_rows
  double query_ms = 0;
};

// Prepares builder SQL; a query holding user SQL (?_where=) is prepared under the read-only
// authorizer and must be a read-only statement (InvalidArgument "Statement must be a SELECT").
Result<Statement> PrepareQuery(Connection& conn, const sql::Query& query);

// Runs builder SQL (through PrepareQuery).
Result<QueryResult> Execute(Connection& conn, const sql::Query& query, const Limits& limits);

// What each row of a result goes to when it is read straight from the statement (the direct
// JSON renderer) instead of being collected into Rows.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // Once, after the first step and before any Row(): a cached statement recompiled after a
  // schema change only reports its columns once it has run.
  virtual void Start(const Statement& stmt) = 0;
  // The statement positioned on the next row; its column values are valid until it returns.
  virtual void Row(const Statement& stmt) = 0;
};

struct SinkResult {
  size_t rows = 0;         // rows handed to the sink
  bool truncated = false;  // more rows existed than max_rows
  double query_ms = 0;
};

// Execute with each row handed to `sink` instead of collected: the same limits (max_rows,
// max_bytes for user SQL, the deadline), authorizer and trace entry.
Result<SinkResult> ExecuteInto(Connection& conn, const sql::Query& query, const Limits& limits,
                               RowSink& sink);

// Runs arbitrary read-only SQL with `:named` parameters taken from `params` (a missing
// parameter binds ""). Writes, ATTACH and unsafe pragmas fail with InvalidArgument
// "Statement must be a SELECT"; more than one statement is InvalidArgument too.
Result<QueryResult> ExecuteUser(Connection& conn, std::string_view sql,
                                const std::vector<std::pair<std::string, std::string>>& params,
                                const Limits& limits);

// The value bound to the parameter `:name` (given without the colon), or an error that
// aborts the query (e.g. a magic parameter that has no value for this request).
using ParamResolver = std::function<Result<Value>(const std::string& name)>;

// ExecuteUser with every named parameter's value chosen by `resolve`.
Result<QueryResult> ExecuteUser(Connection& conn, std::string_view sql,
                                const ParamResolver& resolve, const Limits& limits);

// ExecuteUser with each row handed to `sink` instead of collected.
Result<SinkResult> ExecuteUserInto(Connection& conn, std::string_view sql,
                                   const ParamResolver& resolve, const Limits& limits,
                                   RowSink& sink);

// The named parameters of `sql` (without ":"), in order, found by preparing it.
Result<std::vector<std::string>> ParameterNames(Connection& conn, std::string_view sql);

}  // namespace almanac::db
