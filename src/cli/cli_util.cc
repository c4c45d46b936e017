#include "cli/cli_util.h"

#include <cstdio>

#include <sys/stat.h>

#include "format/json_writer.h"

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

namespace {

void Pretty(const format::JsonValue& v, int depth, std::string& out) {
  std::string pad(static_cast<size_t>(depth + 1) * 2, ' ');
  std::string close(static_cast<size_t>(depth) * 2, ' ');
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [k, member] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      format::AppendJsonString(k, out);
      out += ": ";
      Pretty(member, depth + 1, out);
    }
    out += "\n" + close + "}";
  } else if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const format::JsonValue& item : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      Pretty(item, depth + 1, out);
    }
    out += "\n" + close + "]";
  } else {
    out += format::ToJsonText(v);
  }
}

}  // namespace

std::string PrettyJson(const format::JsonValue& value) {
  std::string out;
  Pretty(value, 0, out);
  return out;
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
