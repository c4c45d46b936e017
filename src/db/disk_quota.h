// A quota on the disk a directory of databases may use (hosting mode: a worker serves one
// space, whose databases together get the space's quota). SQLite cannot count a directory, so
// before each write transaction the writer's PRAGMA max_page_count is set to what its database
// may grow to: the quota less what the directory's other files use now. A write past it fails
// with SQLITE_FULL, which then answers as a TooLarge error (413) with the quota's message. Two
// databases of one directory written at the same moment can overshoot the quota together by at
// most one transaction each. Process-wide: set once, before serving.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace almanac::db {

class Connection;

// Every file database written from now on: its directory may use `bytes` (0: no quota), and a
// write that would pass it fails with `message`.
void SetDiskQuota(int64_t bytes, std::string message);
// The quota set by SetDiskQuota, in bytes (0: none).
int64_t DiskQuotaBytes();
// The message of a full database (empty without a quota: SQLite's own, as an internal error).
const std::string& DiskFullMessage();

// Bytes used by the files of `path`'s directory other than `path` and its -wal, -shm and
// -journal files (the database's own pages are counted by SQLite).
int64_t OtherFilesBytes(const std::string& path);

// Sets the writer's max_page_count from the quota (a no-op without one, or for a database
// with no file). Called by the write queue before each transaction.
Status ApplyDiskQuota(Connection& writer);

}  // namespace almanac::db
