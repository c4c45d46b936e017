// A small RAII layer over sqlite3 for the control plane's store: open a database, run
// statements with bound parameters, read rows. SQLite errors become Status (kInternal, or
// kConflict for a UNIQUE/PRIMARY KEY clash). A Db belongs to one thread at a time: the store
// serialises its use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace almanac::control {

// A bound parameter: NULL, an integer or text.
using Param = std::variant<std::monostate, int64_t, std::string>;

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;

  // True when a row is available, false when done.
  Result<bool> Step();
  int64_t Int(int column) const;
  std::string Text(int column) const;  // "" for NULL
  bool IsNull(int column) const;
  std::optional<int64_t> MaybeInt(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  // Opens (creating) the database file at `path`.
  static Result<Db> Open(const std::string& path);
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&& other) noexcept;
  ~Db();

  // Runs one or more statements without parameters or results.
  Status Exec(std::string_view sql);
  // Prepares one statement with its parameters bound.
  Result<Stmt> Query(std::string_view sql, const std::vector<Param>& params = {});
  // Runs one statement to completion; returns the number of rows it changed.
  Result<int64_t> Run(std::string_view sql, const std::vector<Param>& params = {});
  int64_t LastInsertRowid() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// An SQLite result code as a Status.
Status SqliteStatus(int rc, sqlite3* db);

}  // namespace almanac::control
