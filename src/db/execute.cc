#include "db/execute.h"

#include <algorithm>
#include <cstdint>

#include <sqlite3.h>

#include "db/trace.h"
#include "db/user_sql_caps.h"

namespace almanac::db {
namespace {

// While a user's statement prepares and runs: the read-only authorizer, and the length of one
// value held to the cap (SQLITE_LIMIT_LENGTH, restored afterwards so that builder SQL can
// still read stored values of any size).
class UserSqlScope {
 public:
  explicit UserSqlScope(Connection& conn) : conn_(conn) {
    conn_.EnableReadOnlyAuthorizer(true);
    int64_t cap = CurrentUserSqlCaps().max_value_bytes;
    previous_length_ = sqlite3_limit(conn_.handle(), SQLITE_LIMIT_LENGTH,
                                     static_cast<int>(std::min<int64_t>(cap, INT32_MAX)));
  }
  ~UserSqlScope() {
    sqlite3_limit(conn_.handle(), SQLITE_LIMIT_LENGTH, previous_length_);
    conn_.EnableReadOnlyAuthorizer(false);
  }
  UserSqlScope(const UserSqlScope&) = delete;
  UserSqlScope& operator=(const UserSqlScope&) = delete;

 private:
  Connection& conn_;
  int previous_length_ = 0;
};

// A user statement's failure in plain words when it hit one of the caps.
Status Explained(Status status, Connection& conn) {
  if (status.ok()) return status;
  if ((sqlite3_extended_errcode(conn.handle()) & 0xFF) == SQLITE_TOOBIG) {
    return InvalidArgument(ValueTooLargeMessage());
  }
  return status;
}

// The bytes a row's cells count towards Limits::max_bytes: text and blob lengths, and the size
// of a Value for the other types.
size_t RowBytes(const Statement& stmt, int columns) {
  size_t bytes = 0;
  for (int i = 0; i < columns; ++i) {
    switch (stmt.ColumnType(i)) {
      case SQLITE_TEXT:
        bytes += stmt.ColumnText(i).size();
        break;
      case SQLITE_BLOB:
        bytes += stmt.ColumnBlob(i).size();
        break;
      default:
        bytes += sizeof(Value);
    }
  }
  return bytes;
}

// Steps `stmt` to the end (or max_rows), handing each row to `sink`.
Result<SinkResult> StepInto(Statement& stmt, const Limits& limits, Clock::time_point started,
                            RowSink& sink) {
  SinkResult result;
  // Step before reading the columns: a cached statement recompiled after a schema change
  // (a "select *" after ALTER TABLE) only reports its new columns once it has run.
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  int n = stmt.ColumnCount();
  sink.Start(stmt);
  size_t bytes = 0;
  while (row) {
    if (limits.max_rows > 0 && result.rows >= static_cast<size_t>(limits.max_rows)) {
      result.truncated = true;
      break;
    }
    if (limits.max_bytes > 0) {
      bytes += RowBytes(stmt, n);
      if (bytes > static_cast<size_t>(limits.max_bytes)) {
        return InvalidArgument(ResultTooLargeMessage());
      }
    }
    sink.Row(stmt);
    ++result.rows;
    ALM_ASSIGN_OR_RETURN(row, stmt.Step());
  }
  result.query_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return result;
}

// The sink that collects rows as Values.
class CollectSink : public RowSink {
 public:
  explicit CollectSink(Rows& rows) : rows_(rows) {}
  void Start(const Statement& stmt) override {
    n_ = stmt.ColumnCount();
    rows_.columns.reserve(static_cast<size_t>(n_));
    for (int i = 0; i < n_; ++i) rows_.columns.emplace_back(stmt.ColumnName(i));
  }
  void Row(const Statement& stmt) override {
    // Room for a typical page (101 rows) up front: growing by doubling moves every cell again.
    if (rows_.cells.empty()) rows_.cells.reserve(static_cast<size_t>(n_) * 128);
    for (int i = 0; i < n_; ++i) rows_.cells.push_back(stmt.Column(i));
  }

 private:
  Rows& rows_;
  int n_ = 0;
};

// Runs a prepared statement into `sink`, under the caps of user SQL when `user_sql`.
Result<SinkResult> RunInto(Connection& conn, Statement& stmt, bool user_sql, Limits limits,
                           Clock::time_point started, RowSink& sink);

Result<QueryResult> Collect(Connection& conn, Statement& stmt, bool user_sql, const Limits& limits,
                            Clock::time_point started) {
  QueryResult result;
  CollectSink sink(result.rows);
  ALM_ASSIGN_OR_RETURN(SinkResult stepped, RunInto(conn, stmt, user_sql, limits, started, sink));
  result.truncated = stepped.truncated;
  result.query_ms = stepped.query_ms;
  return result;
}

// Prepares a statement that holds user SQL (`prepare` returns it) under the read-only
// authorizer; what the authorizer refuses, and statements that would write, are
// kNotSelectMessage errors about ErrorSubject::kRefusedStatement.
template <typename Prepare>
Result<Statement> PrepareUnderAuthorizer(Connection& conn, Prepare prepare) {
  Statement stmt;
  {
    UserSqlScope scope(conn);
    Result<Statement> prepared = prepare();
    if (!prepared.ok()) {
      if ((sqlite3_extended_errcode(conn.handle()) & 0xFF) == SQLITE_AUTH) {
        return InvalidArgument(std::string(kNotSelectMessage))
            .About(ErrorSubject::kRefusedStatement);
      }
      return Explained(prepared.status(), conn);
    }
    stmt = std::move(prepared).value();
  }
  if (!stmt.ReadOnly()) {
    return InvalidArgument(std::string(kNotSelectMessage)).About(ErrorSubject::kRefusedStatement);
  }
  return stmt;
}

// Statements holding user SQL run under the caps of user_sql_caps.h. Cached statements are
// re-prepared by SQLite after a schema change, while stepping: the authorizer stays installed
// so that re-preparation is held to the same rules.
Result<SinkResult> RunInto(Connection& conn, Statement& stmt, bool user_sql, Limits limits,
                           Clock::time_point started, RowSink& sink) {
  if (!user_sql) return StepInto(stmt, limits, started, sink);
  UserSqlScope scope(conn);
  if (limits.max_bytes == 0) limits.max_bytes = CurrentUserSqlCaps().max_result_bytes;
  Result<SinkResult> result = StepInto(stmt, limits, started, sink);
  if (!result.ok()) return Explained(result.status(), conn);
  return result;
}

// Adds a statement that ran (or failed) to the current thread's trace (?_trace=1).
void Record(Connection& conn, std::string sql, double start, std::vector<Value> params,
            std::vector<std::string> names = {}) {
  RequestTrace* trace = CurrentTrace();
  if (!trace) return;
  TraceEntry entry;
  entry.start = start;
  entry.end = TraceClockSeconds();
  const char* file = sqlite3_db_filename(conn.handle(), "main");
  entry.file = file ? file : "";
  entry.sql = std::move(sql);
  entry.params = std::move(params);
  entry.param_names = std::move(names);
  trace->Add(std::move(entry));
}

}  // namespace

Result<Statement> PrepareQuery(Connection& conn, const sql::Query& query) {
  if (!query.has_user_sql) return conn.Prepare(query);
  // A user's ?_where= fragment is inside: hold it to the rules of arbitrary SQL.
  return PrepareUnderAuthorizer(conn, [&] { return conn.Prepare(query); });
}

namespace {

Result<QueryResult> Run(Connection& conn, const sql::Query& query, const Limits& limits) {
  Clock::time_point started = Clock::now();
  DeadlineScope deadline(conn, limits.deadline);
  ALM_ASSIGN_OR_RETURN(Statement stmt, PrepareQuery(conn, query));
  return Collect(conn, stmt, query.has_user_sql, limits, started);
}

Result<SinkResult> RunQueryInto(Connection& conn, const sql::Query& query, const Limits& limits,
                                RowSink& sink) {
  Clock::time_point started = Clock::now();
  DeadlineScope deadline(conn, limits.deadline);
  ALM_ASSIGN_OR_RETURN(Statement stmt, PrepareQuery(conn, query));
  return RunInto(conn, stmt, query.has_user_sql, limits, started, sink);
}

Result<SinkResult> RunUser(Connection& conn, std::string_view sql, const ParamResolver& resolve,
                           const Limits& limits, std::vector<Value>* bound,
                           std::vector<std::string>* names, RowSink& sink) {
  Clock::time_point started = Clock::now();
  DeadlineScope deadline(conn, limits.deadline);
  ALM_ASSIGN_OR_RETURN(Statement stmt,
                       PrepareUnderAuthorizer(conn, [&] { return conn.PrepareUser(sql); }));
  for (int i = 1; i <= stmt.ParameterCount(); ++i) {
    ALM_ASSIGN_OR_RETURN(Value value, resolve(stmt.ParameterName(i)));
    ALM_RETURN_IF_ERROR(stmt.Bind(i, value));
    if (bound) {
      bound->push_back(std::move(value));
      names->push_back(stmt.ParameterName(i));
    }
  }
  return RunInto(conn, stmt, /*user_sql=*/true, limits, started, sink);
}

Result<SinkResult> RunUserTraced(Connection& conn, std::string_view sql,
                                 const ParamResolver& resolve, const Limits& limits,
                                 RowSink& sink) {
  if (!CurrentTrace()) return RunUser(conn, sql, resolve, limits, nullptr, nullptr, sink);
  double start = TraceClockSeconds();
  std::vector<Value> bound;
  std::vector<std::string> names;
  Result<SinkResult> result = RunUser(conn, sql, resolve, limits, &bound, &names, sink);
  Record(conn, std::string(sql), start, std::move(bound), std::move(names));
  return result;
}

}  // namespace

Result<QueryResult> Execute(Connection& conn, const sql::Query& query, const Limits& limits) {
  if (!CurrentTrace()) return Run(conn, query, limits);
  double start = TraceClockSeconds();
  Result<QueryResult> result = Run(conn, query, limits);
  Record(conn, query.text, start, query.params);
  return result;
}

Result<SinkResult> ExecuteInto(Connection& conn, const sql::Query& query, const Limits& limits,
                               RowSink& sink) {
  if (!CurrentTrace()) return RunQueryInto(conn, query, limits, sink);
  double start = TraceClockSeconds();
  Result<SinkResult> result = RunQueryInto(conn, query, limits, sink);
  Record(conn, query.text, start, query.params);
  return result;
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
  QueryResult result;
  CollectSink sink(result.rows);
  ALM_ASSIGN_OR_RETURN(SinkResult ran, RunUserTraced(conn, sql, resolve, limits, sink));
  result.truncated = ran.truncated;
  result.query_ms = ran.query_ms;
  return result;
}

Result<SinkResult> ExecuteUserInto(Connection& conn, std::string_view sql,
                                   const ParamResolver& resolve, const Limits& limits,
                                   RowSink& sink) {
  return RunUserTraced(conn, sql, resolve, limits, sink);
}

Result<std::vector<std::string>> ParameterNames(Connection& conn, std::string_view sql) {
  UserSqlScope scope(conn);
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn.PrepareUser(sql));
  std::vector<std::string> names;
  for (int i = 1; i <= stmt.ParameterCount(); ++i) {
    std::string name = stmt.ParameterName(i);
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace almanac::db
