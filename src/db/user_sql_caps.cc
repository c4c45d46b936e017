#include "db/user_sql_caps.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string_view>

#include <sqlite3.h>

#include "db/sqlite_allocator.h"

namespace almanac::db {
namespace {

std::atomic<int64_t> max_value_bytes{UserSqlCaps{}.max_value_bytes};
std::atomic<int64_t> max_result_bytes{UserSqlCaps{}.max_result_bytes};
std::atomic<int64_t> heap_limit_bytes{0};

constexpr int64_t kSaturated = int64_t{1} << 40;  // past every cap; sums cannot overflow

std::string Megabytes(int64_t bytes) {
  int64_t mb = bytes / (1024 * 1024);
  return mb > 0 ? std::to_string(mb) + " MB" : std::to_string(bytes) + " bytes";
}

int64_t Magnitude(int64_t v) {
  return std::min(v < 0 ? (v == INT64_MIN ? kSaturated : -v) : v, kSaturated);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// SQLite's own printf with its built-in function, on a private in-memory connection of this
// thread (the connections users query have printf() replaced by the checked one).
class BuiltinPrintf {
 public:
  ~BuiltinPrintf() {
    for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  void Run(sqlite3_context* ctx, int argc, sqlite3_value** argv, int64_t length_limit) {
    sqlite3_stmt* stmt = StatementFor(argc);
    if (!stmt) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, static_cast<int>(length_limit));
    for (int i = 0; i < argc; ++i) sqlite3_bind_value(stmt, i + 1, argv[i]);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      sqlite3_result_value(ctx, sqlite3_column_value(stmt, 0));
    } else if ((rc & 0xFF) == SQLITE_NOMEM) {
      sqlite3_result_error_nomem(ctx);
    } else if ((rc & 0xFF) == SQLITE_TOOBIG) {
      sqlite3_result_error_toobig(ctx);
    } else {
      sqlite3_result_error(ctx, sqlite3_errmsg(db_), -1);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }

 private:
  sqlite3_stmt* StatementFor(int argc) {
    if (!db_ && sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return nullptr;
    }
    if (statements_.size() <= static_cast<size_t>(argc)) statements_.resize(argc + 1, nullptr);
    sqlite3_stmt*& stmt = statements_[static_cast<size_t>(argc)];
    if (!stmt) {
      std::string sql = "select printf(";
      for (int i = 1; i <= argc; ++i) sql += (i > 1 ? ",?" : "?") + std::to_string(i);
      sql += ")";
      if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
          SQLITE_OK) {
        sqlite3_finalize(stmt);
        stmt = nullptr;
      }
    }
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;  // by argument count
};

void CheckedPrintf(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return;  // NULL, as SQLite
  const char* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (!text) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  std::string_view format(text, static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  std::vector<int64_t> args;
  if (format.find('*') != std::string_view::npos) {
    args.reserve(static_cast<size_t>(argc - 1));
    for (int i = 1; i < argc; ++i) args.push_back(sqlite3_value_int64(argv[i]));
  }
  int64_t limit = std::min<int64_t>(
      sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1), max_value_bytes);
  if (PrintfPaddingBound(format, args) + static_cast<int64_t>(format.size()) > limit) {
    std::string message = PrintfTooLargeMessage();
    sqlite3_result_error(ctx, message.c_str(), static_cast<int>(message.size()));
    return;
  }
  thread_local BuiltinPrintf builtin;
  builtin.Run(ctx, argc, argv, limit);
}

}  // namespace

void SetUserSqlCaps(const UserSqlCaps& caps) {
  max_value_bytes = caps.max_value_bytes;
  max_result_bytes = caps.max_result_bytes;
}

UserSqlCaps CurrentUserSqlCaps() { return UserSqlCaps{max_value_bytes, max_result_bytes}; }

void ConfigureSqliteForServing() {
  // SQLITE_MISUSE once SQLite is initialized (a test that already ran SQL): then it stays.
  (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
  (void)InstallSqliteAllocator();
}

bool SetSqliteHeapLimit(int64_t bytes) {
  heap_limit_bytes = bytes;
  if (SqliteAllocatorInstalled()) {
    SetAllocatorHeapLimit(bytes);
    return true;
  }
  sqlite3_hard_heap_limit64(bytes);
  return sqlite3_hard_heap_limit64(-1) == bytes;
}

int64_t SqliteHeapLimit() { return heap_limit_bytes; }

void InstallCheckedPrintf(sqlite3* db) {
  for (const char* name : {"printf", "format"}) {
    sqlite3_create_function_v2(db, name, -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                               nullptr, &CheckedPrintf, nullptr, nullptr, nullptr);
  }
}

std::string ValueTooLargeMessage() {
  return "The query built a string or blob larger than " + Megabytes(max_value_bytes) +
         ", the limit for one value";
}

std::string ResultTooLargeMessage() {
  return "The query's results are larger than " + Megabytes(max_result_bytes) +
         ", the limit for one query";
}

std::string PrintfTooLargeMessage() {
  return "printf() width or precision too large: the result could exceed " +
         Megabytes(max_value_bytes) + ", the limit for one value";
}

std::string OutOfMemoryMessage() {
  int64_t limit = heap_limit_bytes;
  return limit > 0 ? "The query ran out of memory: SQLite's memory is limited to " +
                         Megabytes(limit) + " for the whole server"
                   : "The query ran out of memory";
}

int64_t PrintfPaddingBound(std::string_view format, const std::vector<int64_t>& args) {
  size_t next_arg = 0;
  auto take = [&]() -> int64_t { return next_arg < args.size() ? args[next_arg++] : 0; };
  auto number = [&](size_t& i) {
    int64_t n = 0;
    while (i < format.size() && IsDigit(format[i])) {
      n = std::min(n * 10 + (format[i] - '0'), kSaturated);
      ++i;
    }
    return n;
  };
  int64_t total = 0;
  size_t i = 0;
  while (i < format.size()) {
    if (format[i++] != '%') continue;
    while (i < format.size() &&
           std::string_view("-+ #!0,").find(format[i]) != std::string_view::npos) {
      ++i;
    }
    int64_t width = 0;
    if (i < format.size() && format[i] == '*') {
      width = Magnitude(take());
      ++i;
    } else {
      width = number(i);
    }
    int64_t precision = 0;
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (i < format.size() && format[i] == '*') {
        precision = Magnitude(take());
        ++i;
      } else {
        precision = number(i);
      }
    }
    while (i < format.size() && format[i] == 'l') ++i;
    if (i >= format.size()) break;
    char conversion = format[i++];
    if (conversion == '%') continue;
    // A string's precision only cuts it short; every other precision pads or repeats.
    bool precision_limits = std::string_view("szqQwT").find(conversion) != std::string_view::npos;
    total = std::min(total + width + (precision_limits ? 0 : precision), kSaturated);
    if (conversion != 'n') take();
  }
  return total;
}

}  // namespace almanac::db
