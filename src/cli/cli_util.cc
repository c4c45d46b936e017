#include "cli/cli_util.h"

#include <cstdio>

#include <sys/stat.h>

namespace almanac::cli {

Result<std::unique_ptr<db::Connection>> OpenDatabase(const std::string& path, bool must_exist) {
  struct stat st {};
  bool exists = stat(path.c_str(), &st) == 0;
  if (must_exist && !exists) return NotFound("Database file not found: " + path);
  if (exists && S_ISDIR(st.st_mode)) return InvalidArgument("Not a database file: " + path);
  db::OpenOptions options;
  options.path = path;
  options.read_only = false;
  options.create = true;
  ALM_ASSIGN_OR_RETURN(auto conn, db::Connection::Open(options));
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA busy_timeout=" + std::to_string(kBusyTimeoutMs)));
  // Fails early, with SQLite's own message, on a file that is not a database.
  ALM_RETURN_IF_ERROR(conn->Exec("SELECT count(*) FROM sqlite_master"));
  return conn;
}

Result<std::unique_ptr<db::Connection>> OpenDatabaseReadOnly(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return NotFound("Database file not found: " + path);
  db::OpenOptions options;
  options.path = path;
  ALM_ASSIGN_OR_RETURN(auto conn, db::Connection::Open(options));
  ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA busy_timeout=" + std::to_string(kBusyTimeoutMs)));
  ALM_RETURN_IF_ERROR(conn->Exec("SELECT count(*) FROM sqlite_master"));
  return conn;
}

int Fail(const Status& status) { return Fail(status.message()); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

std::string WithCommas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace almanac::cli
