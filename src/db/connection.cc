#include "db/connection.h"

#include <utility>

#include <sqlite3.h>

#include "db/authorizer.h"
#include "db/disk_quota.h"
#include "db/user_sql_caps.h"

namespace almanac::db {
namespace {

constexpr size_t kStatementCacheSize = 64;
constexpr int kProgressOps = 1000;  // VM instructions between deadline checks

// This thread's fast lane (FastLaneScope): when its SQL must stop, and whether it did.
thread_local Clock::time_point fast_lane_until = Clock::time_point::max();
thread_local bool fast_lane_overrun = false;

bool IsBlank(std::string_view tail) {
  size_t i = 0;
  while (i < tail.size()) {
    char c = tail[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';') {
      ++i;
    } else if (c == '-' && i + 1 < tail.size() && tail[i + 1] == '-') {
      size_t end = tail.find('\n', i);
      i = end == std::string_view::npos ? tail.size() : end + 1;
    } else if (c == '/' && i + 1 < tail.size() && tail[i + 1] == '*') {
      size_t end = tail.find("*/", i + 2);
      i = end == std::string_view::npos ? tail.size() : end + 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Status FromSqlite(int rc, sqlite3* db) {
  int primary = rc & 0xFF;
  if (primary == SQLITE_OK || primary == SQLITE_ROW || primary == SQLITE_DONE) return Status::Ok();
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (primary) {
    case SQLITE_INTERRUPT:
      return DeadlineExceeded(std::string(kTimeLimitMessage));
    case SQLITE_AUTH:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Status(ErrorCode::kInvalidArgument, message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(ErrorCode::kUnavailable, message);
    case SQLITE_NOMEM:
      // Past the heap ceiling (or truly out of memory): this query fails, the server goes on.
      return Status(ErrorCode::kUnavailable, OutOfMemoryMessage());
    case SQLITE_FULL:
      // A quota (db/disk_quota.h) says it in its own words; a full disk is the server's problem.
      if (!DiskFullMessage().empty()) return Status(ErrorCode::kTooLarge, DiskFullMessage());
      return Internal(message);
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_INTERNAL:
      return Internal(message);
    default:
      return InvalidArgument(message);
  }
}

// --- Statement -----------------------------------------------------------------------------

Statement::~Statement() { Release(); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      home_(std::exchange(other.home_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
    home_ = std::exchange(other.home_, nullptr);
  }
  return *this;
}

void Statement::Release() {
  if (!stmt_) return;
  if (home_) {
    home_->ReturnToCache(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

Status Statement::Bind(int index, const Value& value) {
  int rc = SQLITE_OK;
  switch (value.type()) {
    case Value::Type::kNull:
      rc = sqlite3_bind_null(stmt_, index);
      break;
    case Value::Type::kInteger:
      rc = sqlite3_bind_int64(stmt_, index, value.integer());
      break;
    case Value::Type::kReal:
      rc = sqlite3_bind_double(stmt_, index, value.real());
      break;
    case Value::Type::kText:
      rc = sqlite3_bind_text64(stmt_, index, value.text().data(), value.text().size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    case Value::Type::kBlob:
      rc = sqlite3_bind_blob64(stmt_, index, value.blob().data(), value.blob().size(),
                               SQLITE_TRANSIENT);
      break;
  }
  if (rc != SQLITE_OK) return FromSqlite(rc, db_);
  return Status::Ok();
}

Status Statement::BindAll(const std::vector<Value>& values) {
  if (static_cast<int>(values.size()) != ParameterCount()) {
    return Internal("statement expects " + std::to_string(ParameterCount()) + " parameters, got " +
                    std::to_string(values.size()));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    ALM_RETURN_IF_ERROR(Bind(static_cast<int>(i) + 1, values[i]));
  }
  return Status::Ok();
}

Status Statement::BindNull(int index) { return FromSqlite(sqlite3_bind_null(stmt_, index), db_); }

Status Statement::BindInt(int index, int64_t value) {
  return FromSqlite(sqlite3_bind_int64(stmt_, index, value), db_);
}

Status Statement::BindDouble(int index, double value) {
  return FromSqlite(sqlite3_bind_double(stmt_, index, value), db_);
}

Status Statement::BindText(int index, std::string_view text) {
  return FromSqlite(
      // An empty view may have no data pointer, which SQLite would bind as NULL.
      sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC,
                          SQLITE_UTF8),
      db_);
}

Status Statement::BindBlob(int index, std::string_view bytes) {
  return FromSqlite(sqlite3_bind_blob64(stmt_, index, bytes.data() ? bytes.data() : "",
                                        bytes.size(), SQLITE_STATIC),
                    db_);
}

void Statement::Reset() { sqlite3_reset(stmt_); }

int Statement::ParameterCount() const { return sqlite3_bind_parameter_count(stmt_); }

std::string Statement::ParameterName(int index) const {
  const char* name = sqlite3_bind_parameter_name(stmt_, index);
  if (!name || !*name) return {};
  return std::string(name + 1);
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(rc, db_);
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

std::string_view Statement::ColumnName(int i) const {
  const char* name = sqlite3_column_name(stmt_, i);
  return name ? name : "";
}

std::string_view Statement::ColumnDeclType(int i) const {
  const char* type = sqlite3_column_decltype(stmt_, i);
  return type ? type : "";
}

int Statement::ColumnType(int i) const { return sqlite3_column_type(stmt_, i); }
int64_t Statement::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
double Statement::ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }

std::string_view Statement::ColumnText(int i) const {
  const unsigned char* text = sqlite3_column_text(stmt_, i);
  int size = sqlite3_column_bytes(stmt_, i);
  return text ? std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
              : std::string_view();
}

std::string_view Statement::ColumnBlob(int i) const {
  const void* blob = sqlite3_column_blob(stmt_, i);
  int size = sqlite3_column_bytes(stmt_, i);
  return blob ? std::string_view(static_cast<const char*>(blob), static_cast<size_t>(size))
              : std::string_view();
}

Value Statement::Column(int i) const {
  switch (sqlite3_column_type(stmt_, i)) {
    case SQLITE_INTEGER:
      return Value::Integer(ColumnInt(i));
    case SQLITE_FLOAT:
      return Value::Real(ColumnDouble(i));
    case SQLITE_TEXT:
      return Value::Text(std::string(ColumnText(i)));
    case SQLITE_BLOB:
      return Value::BlobOf(std::string(ColumnBlob(i)));
    default:
      return Value::Null();
  }
}

bool Statement::ReadOnly() const { return sqlite3_stmt_readonly(stmt_) != 0; }

std::string_view Statement::Sql() const {
  const char* text = sqlite3_sql(stmt_);
  return text ? text : "";
}

// --- Connection ----------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const OpenOptions& options) {
  std::string uri;
  int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (options.memory) {
    uri = "file:" + options.path + "?mode=memory&cache=shared";
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  } else {
    // Percent-encode the characters URI filenames treat specially.
    std::string escaped;
    for (char c : options.path) {
      if (c == '%' || c == '?' || c == '#') {
        static constexpr char kHex[] = "0123456789ABCDEF";
        escaped += '%';
        escaped += kHex[(static_cast<unsigned char>(c) >> 4) & 15];
        escaped += kHex[static_cast<unsigned char>(c) & 15];
      } else {
        escaped += c;
      }
    }
    uri = "file:" + escaped;
    if (options.immutable) {
      uri += "?immutable=1";
      flags |= SQLITE_OPEN_READONLY;
    } else if (options.read_only) {
      flags |= SQLITE_OPEN_READONLY;
    } else {
      flags |= SQLITE_OPEN_READWRITE;
      if (options.create) flags |= SQLITE_OPEN_CREATE;
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = Internal("could not open " + options.path + ": " +
                             (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db);
    return status;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_progress_handler(db, kProgressOps, &Connection::ProgressHandler, conn.get());
  InstallCheckedPrintf(db);
  if (options.cache_size_kb > 0) {
    ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-" + std::to_string(options.cache_size_kb)));
  }
  return conn;
}

Connection::~Connection() {
  for (sqlite3_stmt* stmt : lru_) sqlite3_finalize(stmt);
  ForgetReadOnlyGate(db_);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(const sql::Query& query) {
  sqlite3_stmt* stmt = nullptr;
  auto found = cache_.find(query.text);
  if (found != cache_.end()) {
    stmt = *found->second;
    lru_.erase(found->second);
    cache_.erase(found);
  } else {
    int rc = sqlite3_prepare_v3(db_, query.text.data(), static_cast<int>(query.text.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      Status status = FromSqlite(rc, db_);
      sqlite3_finalize(stmt);
      return status;
    }
  }
  Statement statement(stmt, db_, this);
  ALM_RETURN_IF_ERROR(statement.BindAll(query.params));
  return statement;
}

void Connection::ReturnToCache(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  std::string key = CacheKey(stmt);
  if (cache_.count(key)) {
    user_statements_.erase(stmt);
    sqlite3_finalize(stmt);
    return;
  }
  lru_.push_front(stmt);
  cache_.emplace(std::move(key), lru_.begin());
  if (lru_.size() > kStatementCacheSize) {
    sqlite3_stmt* oldest = lru_.back();
    cache_.erase(CacheKey(oldest));
    user_statements_.erase(oldest);
    lru_.pop_back();
    sqlite3_finalize(oldest);
  }
}

std::string Connection::CacheKey(sqlite3_stmt* stmt) const {
  std::string key = user_statements_.count(stmt) ? "\x01" : "";
  key += sqlite3_sql(stmt);
  return key;
}

Result<Statement> Connection::PrepareUser(std::string_view sql, bool compile_again) {
  // A user's statement that passed the authorizer once is reused for the same text (its
  // decisions depend on nothing else); kept apart from the schema-built statements.
  std::string key = "\x01" + std::string(sql);
  auto found = compile_again ? cache_.end() : cache_.find(key);
  if (found != cache_.end()) {
    sqlite3_stmt* cached = *found->second;
    lru_.erase(found->second);
    cache_.erase(found);
    return Statement(cached, db_, this);
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) {
    Status status = FromSqlite(rc, db_);
    sqlite3_finalize(stmt);
    return status;
  }
  if (!stmt) return InvalidArgument("Query is empty");
  if (tail &&
      !IsBlank(std::string_view(tail, static_cast<size_t>(sql.data() + sql.size() - tail)))) {
    sqlite3_finalize(stmt);
    return InvalidArgument("You can only execute one statement at a time.");
  }
  // Cached only when the whole text is the one statement (sqlite3_sql is the key it returns
  // under); otherwise finalized after use as before.
  if (compile_again || std::string_view(sqlite3_sql(stmt)) != sql) {
    return Statement(stmt, db_, nullptr);
  }
  user_statements_.insert(stmt);
  return Statement(stmt, db_, this);
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    Status status = FromSqlite(rc, db_);
    sqlite3_free(error);
    return status;
  }
  return Status::Ok();
}

void Connection::SetDeadline(Clock::time_point deadline) {
  deadline_ = deadline;
  deadline_hit_ = false;
}

void Connection::ClearDeadline() {
  deadline_ = Clock::time_point::max();
  deadline_hit_ = false;
}

FastLaneScope::FastLaneScope(Clock::duration budget) {
  fast_lane_until = Clock::now() + budget;
  fast_lane_overrun = false;
}

FastLaneScope::~FastLaneScope() {
  fast_lane_until = Clock::time_point::max();
  fast_lane_overrun = false;
}

bool FastLaneScope::Overrun() const { return fast_lane_overrun; }

int Connection::ProgressHandler(void* self) {
  auto* conn = static_cast<Connection*>(self);
  if (fast_lane_until != Clock::time_point::max() && Clock::now() >= fast_lane_until) {
    fast_lane_overrun = true;
    return 1;
  }
  if (conn->deadline_ != Clock::time_point::max() && Clock::now() >= conn->deadline_) {
    conn->deadline_hit_ = true;
    return 1;
  }
  return 0;
}

void Connection::EnableReadOnlyAuthorizer(bool enabled) { SetReadOnlyGate(db_, enabled); }

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }
int64_t Connection::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

void Connection::SetLastInsertRowid(int64_t rowid) { sqlite3_set_last_insert_rowid(db_, rowid); }

}  // namespace almanac::db
