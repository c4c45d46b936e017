// Connection and Statement: RAII over sqlite3* and sqlite3_stmt*. SQLite return codes become
// Status here and nowhere else (FromSqlite). A Connection belongs to one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "sql/query.h"

struct sqlite3;
struct sqlite3_stmt;

namespace almanac::db {

using Clock = std::chrono::steady_clock;

// The message Datasette gives when a query runs out of time.
inline constexpr std::string_view kTimeLimitMessage =
    "SQL query took too long. The time limit is controlled by the sql_time_limit_ms setting.";

// Converts an SQLite result code (and the connection's error message) into a Status.
Status FromSqlite(int rc, sqlite3* db);

class Statement {
 public:
  Statement() = default;
  // `home`, when set, is the connection whose cache takes the statement back when done.
  Statement(sqlite3_stmt* stmt, sqlite3* db, class Connection* home)
      : stmt_(stmt), db_(db), home_(home) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds positional parameter `index` (1-based).
  Status Bind(int index, const Value& value);
  Status BindAll(const std::vector<Value>& values);
  // Binding without building a Value, for bulk loads. BindText/BindBlob do not copy: the bytes
  // must stay valid until the statement is stepped and reset (or rebound).
  Status BindNull(int index);
  Status BindInt(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view text);
  Status BindBlob(int index, std::string_view bytes);
  // Rewinds the statement so it can be stepped again (bindings are kept).
  void Reset();
  int ParameterCount() const;
  // The name of parameter `index` (1-based) without its ":"/"@"/"$" prefix, or "".
  std::string ParameterName(int index) const;

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> Step();
  int ColumnCount() const;
  std::string_view ColumnName(int i) const;
  // The declared type of result column i, or "" for expressions.
  std::string_view ColumnDeclType(int i) const;
  Value Column(int i) const;
  // For the JSON fast path: type and raw access without building a Value.
  int ColumnType(
      int i) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL
  int64_t ColumnInt(int i) const;
  double ColumnDouble(int i) const;
  std::string_view ColumnText(int i) const;
  std::string_view ColumnBlob(int i) const;

  bool ReadOnly() const;
  std::string_view Sql() const;
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  void Release();
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  class Connection* home_ = nullptr;
};

struct OpenOptions {
  std::string path;  // file path, or a name for an in-memory database
  bool read_only = true;
  bool immutable = false;     // file never changes: no locking, no WAL (-i)
  bool memory = false;        // shared in-memory database named `path`
  bool create = false;        // create the file when missing
  int64_t cache_size_kb = 0;  // 0 = SQLite's default
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const OpenOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepares builder SQL, reusing a cached statement for the same text; binds its params.
  Result<Statement> Prepare(const sql::Query& query);
  // Prepares one statement of arbitrary SQL. Extra statements after the first are an
  // InvalidArgument error. The statement is reused for the same text later (it is compiled,
  // and so authorized, once); with `compile_again`, it is compiled anew and not kept, so that
  // an authorizer installed by the caller sees every callback (db/sql_analysis.h).
  Result<Statement> PrepareUser(std::string_view sql, bool compile_again = false);
  // Runs SQL with no results (pragmas, BEGIN/COMMIT). Not for user input.
  Status Exec(std::string_view sql);

  // Queries after this call fail with kTimeLimitMessage once `deadline` passes.
  void SetDeadline(Clock::time_point deadline);
  void ClearDeadline();
  bool DeadlineHit() const { return deadline_hit_; }

  // Installs the authorizer that keeps arbitrary SQL read-only (see authorizer.h).
  void EnableReadOnlyAuthorizer(bool enabled);

  sqlite3* handle() const { return db_; }
  int64_t Changes() const;
  int64_t LastInsertRowid() const;
  // Sets what LastInsertRowid returns until the next INSERT (a marker that tells an upsert's
  // insert from its update).
  void SetLastInsertRowid(int64_t rowid);

 private:
  friend class Statement;
  explicit Connection(sqlite3* db) : db_(db) {}
  static int ProgressHandler(void* self);
  // Takes a cached statement back after use (reset, bindings cleared).
  void ReturnToCache(sqlite3_stmt* stmt);
  // The cache key of `stmt`: its SQL text, prefixed with \x01 for users' statements.
  std::string CacheKey(sqlite3_stmt* stmt) const;

  sqlite3* db_ = nullptr;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool deadline_hit_ = false;
  // Idle prepared statements keyed by SQL text, most recently used at the front. A statement
  // in use is out of the cache, so two users never share one.
  using CacheList = std::list<sqlite3_stmt*>;
  CacheList lru_;
  std::unordered_map<std::string, CacheList::iterator> cache_;
  // Statements prepared from users' SQL (PrepareUser), cached or in use.
  std::unordered_set<sqlite3_stmt*> user_statements_;
};

// The fast lane: how long a request may run SQL on the thread that handles it (an I/O thread)
// before its queries are interrupted, so that it can be run again on a thread of its own and
// leave the I/O thread to cheap requests. Holds for the calling thread while the scope lives;
// Overrun() tells whether the request ran out of it (its answer must then be discarded: some
// of its queries failed with kTimeLimitMessage).
class FastLaneScope {
 public:
  explicit FastLaneScope(Clock::duration budget);
  ~FastLaneScope();
  FastLaneScope(const FastLaneScope&) = delete;
  FastLaneScope& operator=(const FastLaneScope&) = delete;
  bool Overrun() const;
};

// Sets a connection's deadline for the lifetime of the scope and clears it when the work is
// done, however it ends.
class DeadlineScope {
 public:
  DeadlineScope(Connection& conn, Clock::time_point deadline) : conn_(conn) {
    conn_.SetDeadline(deadline);
  }
  ~DeadlineScope() { conn_.ClearDeadline(); }
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  Connection& conn_;
};

}  // namespace almanac::db
