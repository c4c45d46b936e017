#include "cloud/space_tables.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace almanac::cloud {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// "data, notes" (the space's databases, for the message), or "none".
std::string DatabaseNames(const std::string& space_dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(space_dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 3 && name.ends_with(".db") && entry.is_regular_file(error)) {
      names.push_back(name.substr(0, name.size() - 3));
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

// Percent-encodes what a SQLite URI's path may not hold as it is.
std::string UriPath(const std::string& path) {
  std::string out;
  for (char ch : path) {
    if (ch == '%' || ch == '?' || ch == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(ch) >> 4];
      out += kHex[static_cast<unsigned char>(ch) & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

Result<bool> HasTable(const std::string& path, bool with_wal, const std::string& table) {
  std::string uri = "file:" + UriPath(path) + (with_wal ? "?mode=ro" : "?immutable=1");
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW;
  int rc = sqlite3_open_v2(uri.c_str(), &db, flags, nullptr);
  auto fail = [&](const std::string& what) {
    std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return Internal(message);
  };
  if (rc != SQLITE_OK) return fail("Cannot open " + path);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_busy_timeout(db, 250);  // on the front door's I/O thread: never long
  sqlite3_stmt* stmt = nullptr;
  rc = sqlite3_prepare_v2(
      db, "select 1 from sqlite_master where type in ('table', 'view') and name = ?1", -1, &stmt,
      nullptr);
  if (rc != SQLITE_OK) return fail("Cannot read the tables of " + path);
  sqlite3_bind_text(stmt, 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
  rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail("Cannot read the tables of " + path);
  sqlite3_close_v2(db);
  return rc == SQLITE_ROW;
}

// OK when `space_dir`/`database`.db is a regular file (not a symlink), its lstat in `out`.
Status DatabaseFile(const std::string& space_dir, const std::string& database, struct stat& out) {
  std::string path = space_dir + "/" + database + ".db";
  if (database.empty() || database.find('/') != std::string::npos ||
      ::lstat(path.c_str(), &out) != 0 || !S_ISREG(out.st_mode)) {
    return NotFound("The space has no database named " + database +
                    " (its databases: " + DatabaseNames(space_dir) + ")");
  }
  return Status::Ok();
}

}  // namespace

Status CheckDatabaseExists(const std::string& space_dir, const std::string& database) {
  struct stat db_stat {};
  return DatabaseFile(space_dir, database, db_stat);
}

Status CheckTableExists(const std::string& space_dir, const std::string& database,
                        const std::string& table) {
  struct stat db_stat {};
  ALM_RETURN_IF_ERROR(DatabaseFile(space_dir, database, db_stat));
  std::string path = space_dir + "/" + database + ".db";
  std::string wal = path + "-wal", shm = path + "-shm";
  bool with_wal = Exists(wal);
  bool had_shm = Exists(shm);
  Result<bool> found = HasTable(path, with_wal, table);
  // Reading a WAL may make the shared-memory file (a worker stopped in between): it must stay
  // the worker's, or the worker could not open it.
  for (const auto& [file, had] : {std::pair{wal, with_wal}, std::pair{shm, had_shm}}) {
    if (!had && Exists(file) && ::lchown(file.c_str(), db_stat.st_uid, db_stat.st_gid) != 0) {
      ::unlink(file.c_str());
    }
  }
  if (!found.ok()) return found.status();
  if (!*found) {
    return NotFound("Database " + database + " has no table or view named " + table +
                    " (create it first, then make it public)");
  }
  return Status::Ok();
}

}  // namespace almanac::cloud
