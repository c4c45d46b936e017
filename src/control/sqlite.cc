#include "control/sqlite.h"

#include <sqlite3.h>

namespace almanac::control {

Status SqliteStatus(int rc, sqlite3* db) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if ((rc & 0xff) == SQLITE_CONSTRAINT &&
      (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)) {
    return Status(ErrorCode::kConflict, "control.db: " + message);
  }
  return Status(ErrorCode::kInternal, "control.db: " + message);
}

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db_);
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (!text) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::optional<int64_t> Stmt::MaybeInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

Result<Db> Db::Open(const std::string& path) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(rc, handle);
    sqlite3_close(handle);
    return status;
  }
  sqlite3_busy_timeout(handle, 5000);
  sqlite3_extended_result_codes(handle, 1);
  return Db(handle);
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

Db::~Db() {
  if (db_) sqlite3_close(db_);
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  return SqliteStatus(sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr), db_);
}

Result<Stmt> Db::Query(std::string_view sql, const std::vector<Param>& params) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_);
  Stmt owned(db_, stmt);
  for (size_t i = 0; i < params.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    const Param& param = params[i];
    if (const int64_t* number = std::get_if<int64_t>(&param)) {
      rc = sqlite3_bind_int64(stmt, index, *number);
    } else if (const std::string* text = std::get_if<std::string>(&param)) {
      rc = sqlite3_bind_text(stmt, index, text->data(), static_cast<int>(text->size()),
                             SQLITE_TRANSIENT);
    } else {
      rc = sqlite3_bind_null(stmt, index);
    }
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_);
  }
  return owned;
}

Result<int64_t> Db::Run(std::string_view sql, const std::vector<Param>& params) {
  Result<Stmt> stmt = Query(sql, params);
  if (!stmt.ok()) return stmt.status();
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
  }
  return static_cast<int64_t>(sqlite3_changes(db_));
}

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace almanac::control
