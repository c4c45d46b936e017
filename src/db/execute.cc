#include "db/execute.h"

#include <sqlite3.h>

namespace almanac::db {
namespace {

// Enables the read-only authorizer for the lifetime of the scope.
class AuthorizerScope {
 public:
  explicit AuthorizerScope(Connection& conn) : conn_(conn) { conn_.EnableReadOnlyAuthorizer(true); }
  ~AuthorizerScope() { conn_.EnableReadOnlyAuthorizer(false); }
  AuthorizerScope(const AuthorizerScope&) = delete;
  AuthorizerScope& operator=(const AuthorizerScope&) = delete;

 private:
  Connection& conn_;
};

Result<QueryResult> Collect(Statement& stmt, const Limits& limits, Clock::time_point started) {
  QueryResult result;
  // Step before reading the columns: a cached statement recompiled after a schema change
  // (a "select *" after ALTER TABLE) only reports its new columns once it has run.
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  int n = stmt.ColumnCount();
  result.rows.columns.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) result.rows.columns.emplace_back(stmt.ColumnName(i));
  // Room for a typical page (101 rows) up front: growing by doubling moves every cell again.
  if (row) result.rows.cells.reserve(static_cast<size_t>(n) * 128);
  size_t count = 0;
  while (row) {
    if (limits.max_rows > 0 && count >= static_cast<size_t>(limits.max_rows)) {
      result.truncated = true;
      break;
    }
    for (int i = 0; i < n; ++i) result.rows.cells.push_back(stmt.Column(i));
    ++count;
    ALM_ASSIGN_OR_RETURN(row, stmt.Step());
  }
  result.query_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return result;
}

// Prepares a statement that holds user SQL (`prepare` returns it) under the read-only
// authorizer; what the authorizer refuses, and statements that would write, are
// kNotSelectMessage errors about ErrorSubject::kRefusedStatement.
template <typename Prepare>
Result<Statement> PrepareUnderAuthorizer(Connection& conn, Prepare prepare) {
  Statement stmt;
  {
    AuthorizerScope authorizer(conn);
    Result<Statement> prepared = prepare();
    if (!prepared.ok()) {
      if ((sqlite3_extended_errcode(conn.handle()) & 0xFF) == SQLITE_AUTH) {
        return InvalidArgument(std::string(kNotSelectMessage))
            .About(ErrorSubject::kRefusedStatement);
      }
      return prepared.status();
    }
    stmt = std::move(prepared).value();
  }
  if (!stmt.ReadOnly()) {
    return InvalidArgument(std::string(kNotSelectMessage)).About(ErrorSubject::kRefusedStatement);
  }
  return stmt;
}

// Collect for statements holding user SQL. Cached statements are re-prepared by SQLite after a
// schema change, while stepping: the authorizer stays installed so that re-preparation is held
// to the same rules.
Result<QueryResult> CollectUnderAuthorizer(Connection& conn, Statement& stmt, const Limits& limits,
                                           Clock::time_point started) {
  AuthorizerScope authorizer(conn);
  return Collect(stmt, limits, started);
}

}  // namespace

Result<Statement> PrepareQuery(Connection& conn, const sql::Query& query) {
  if (!query.has_user_sql) return conn.Prepare(query);
  // A user's ?_where= fragment is inside: hold it to the rules of arbitrary SQL.
  return PrepareUnderAuthorizer(conn, [&] { return conn.Prepare(query); });
}

Result<QueryResult> Execute(Connection& conn, const sql::Query& query, const Limits& limits) {
  Clock::time_point started = Clock::now();
  DeadlineScope deadline(conn, limits.deadline);
  ALM_ASSIGN_OR_RETURN(Statement stmt, PrepareQuery(conn, query));
  if (!query.has_user_sql) return Collect(stmt, limits, started);
  return CollectUnderAuthorizer(conn, stmt, limits, started);
}

Result<QueryResult> ExecuteUser(Connection& conn, std::string_view sql,
                                const std::vector<std::pair<std::string, std::string>>& params,
                                const Limits& limits) {
  ParamResolver resolve = [&params](const std::string& name) -> Result<Value> {
    for (const auto& [k, v] : params) {
      if (k == name) return Value::Text(v);
    }
    return Value::Text("");
  };
  return ExecuteUser(conn, sql, resolve, limits);
}

Result<QueryResult> ExecuteUser(Connection& conn, std::string_view sql,
                                const ParamResolver& resolve, const Limits& limits) {
  Clock::time_point started = Clock::now();
  DeadlineScope deadline(conn, limits.deadline);
  ALM_ASSIGN_OR_RETURN(Statement stmt,
                       PrepareUnderAuthorizer(conn, [&] { return conn.PrepareUser(sql); }));
  for (int i = 1; i <= stmt.ParameterCount(); ++i) {
    ALM_ASSIGN_OR_RETURN(Value value, resolve(stmt.ParameterName(i)));
    ALM_RETURN_IF_ERROR(stmt.Bind(i, value));
  }
  return CollectUnderAuthorizer(conn, stmt, limits, started);
}

Result<std::vector<std::string>> ParameterNames(Connection& conn, std::string_view sql) {
  AuthorizerScope authorizer(conn);
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn.PrepareUser(sql));
  std::vector<std::string> names;
  for (int i = 1; i <= stmt.ParameterCount(); ++i) {
    std::string name = stmt.ParameterName(i);
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace almanac::db
