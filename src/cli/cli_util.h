// Shared pieces of the data commands (insert, query, tables, ...): opening a database file the
// way every command does, and reporting errors as sqlite-utils does ("Error: ..." on stderr,
// exit status 1; usage errors exit 2 in main.cc).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "db/connection.h"
#include "format/json_value.h"

namespace almanac::cli {

inline constexpr int kBusyTimeoutMs = 10000;

// Opens `path` read-write (created when missing, unless `must_exist`), with a busy timeout so
// a file that a running `almanac serve` writes to still works. The journal mode is left as
// the file has it.
Result<std::unique_ptr<db::Connection>> OpenDatabase(const std::string& path,
                                                     bool must_exist = false);
// Opens an existing file read-only.
Result<std::unique_ptr<db::Connection>> OpenDatabaseReadOnly(const std::string& path);

// Prints "Error: <message>" to stderr and returns 1.
int Fail(const Status& status);
int Fail(const std::string& message);

// json.dumps(value, indent=2): Python's layout, ASCII only.
std::string PrettyJson(const format::JsonValue& value);

// 1234567 -> "1,234,567"
std::string WithCommas(int64_t n);

}  // namespace almanac::cli
