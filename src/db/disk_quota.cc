#include "db/disk_quota.h"

#include <algorithm>
#include <filesystem>

#include <sqlite3.h>

#include "db/connection.h"

namespace almanac::db {
namespace {

namespace fs = std::filesystem;

struct DiskQuota {
  int64_t bytes = 0;
  std::string message;
};

DiskQuota& quota() {
  static DiskQuota instance;
  return instance;
}

}  // namespace

void SetDiskQuota(int64_t bytes, std::string message) {
  quota() = {bytes, bytes > 0 ? std::move(message) : std::string()};
}

int64_t DiskQuotaBytes() { return quota().bytes; }

const std::string& DiskFullMessage() { return quota().message; }

int64_t OtherFilesBytes(const std::string& path) {
  fs::path own = fs::absolute(path).lexically_normal();
  const std::string own_name = own.filename().string();
  int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(own.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name == own_name || name == own_name + "-wal" || name == own_name + "-shm" ||
        name == own_name + "-journal") {
      continue;
    }
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec)) continue;
    uintmax_t size = entry.file_size(entry_ec);
    if (!entry_ec) total += static_cast<int64_t>(size);
  }
  return total;
}

Status ApplyDiskQuota(Connection& writer) {
  const int64_t quota_bytes = quota().bytes;
  if (quota_bytes <= 0) return Status::Ok();
  const char* file = sqlite3_db_filename(writer.handle(), "main");
  if (!file || !*file) return Status::Ok();
  int64_t bytes_per_page = 4096;
  {
    ALM_ASSIGN_OR_RETURN(Statement page_size, writer.Prepare({"PRAGMA page_size", {}}));
    ALM_ASSIGN_OR_RETURN(bool row, page_size.Step());
    if (row) bytes_per_page = std::max<int64_t>(page_size.ColumnInt(0), 512);
  }
  int64_t room = std::max<int64_t>(quota_bytes - OtherFilesBytes(file), 0);
  // Asked for less than the current page count, SQLite keeps the current count: the database
  // cannot grow, and shrinking it (DELETE, VACUUM) still works.
  int64_t pages = std::max<int64_t>(room / bytes_per_page, 1);
  return writer.Exec("PRAGMA max_page_count=" + std::to_string(pages));
}

}  // namespace almanac::db
