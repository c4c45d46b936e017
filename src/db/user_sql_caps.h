// Caps on what one user's SQL (?sql=, ?_where=, canned queries) may build, so that a single
// request cannot take the server's memory or stall a thread inside one function call:
// - the length of any one string or blob a user statement makes (SQLITE_LIMIT_LENGTH, set
//   only while a user statement prepares and runs, then restored: stored blobs larger than
//   the cap still download through the builder's SQL);
// - the total bytes of the cells one user query returns;
// - printf()/format() checked before they run (SQLite 3.40 builds '%.*c' one character at a
//   time, for seconds, without ever reaching the progress handler);
// - SQLite's whole heap (db/sqlite_allocator.h, or sqlite3_hard_heap_limit64 when SQLite was
//   in use before ConfigureSqliteForServing): past it an allocation fails the query that made
//   it (SQLITE_NOMEM), not the process.
// The caps are process-wide and set once at startup, before any query runs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace almanac::db {

struct UserSqlCaps {
  int64_t max_value_bytes = 16 * 1024 * 1024;   // one string or blob a user query builds
  int64_t max_result_bytes = 64 * 1024 * 1024;  // every cell one user query returns
};

void SetUserSqlCaps(const UserSqlCaps& caps);
UserSqlCaps CurrentUserSqlCaps();

// Process-wide SQLite configuration for the server, before SQLite is first used: no bulk
// page-cache allocation per connection (SQLite's default is 20 pages, ~87 KB at every
// connection's first read, kept for the connection's life): pages are allocated as they are
// needed, and reads through the memory map need none; and the server's allocator, without
// SQLite's global memory-statistics mutex (db/sqlite_allocator.h).
void ConfigureSqliteForServing();

// Sets SQLite's heap ceiling for the whole process (0: none). Returns false when SQLite
// cannot enforce it (memory statistics compiled out).
bool SetSqliteHeapLimit(int64_t bytes);
int64_t SqliteHeapLimit();

// Registers the checked printf() and format() on `db`: a format whose widths and precisions
// could build more than max_value_bytes fails with PrintfTooLargeMessage(); any other is
// formatted by SQLite's own printf (on a private in-memory connection of the calling thread).
void InstallCheckedPrintf(sqlite3* db);

// The messages for the caps, in plain words.
std::string ValueTooLargeMessage();
std::string ResultTooLargeMessage();
std::string PrintfTooLargeMessage();
std::string OutOfMemoryMessage();

// The upper bound printf() output padding may reach for `format` (widths and precisions
// summed; a '*' takes the next of `args`, the integer values of the SQL arguments after the
// format, as SQLite's printf does). Exposed for tests.
int64_t PrintfPaddingBound(std::string_view format, const std::vector<int64_t>& args);

}  // namespace almanac::db
