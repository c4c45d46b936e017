// SQLite's memory allocator for the server: the C library's malloc, with the process-wide heap
// ceiling (--sqlite-heap-limit-mb) counted here instead of by SQLite's memory statistics.
// SQLite's statistics take one global mutex around every allocation and free of every thread:
// with the writer, the readers and the links' merges allocating at once, that mutex cost ~15%
// of a write's throughput (bench/results/changes-links.md). Here each thread keeps its own
// running count and adds it to the shared one in steps of 64 KB, so the ceiling is enforced to
// within 64 KB per thread, without a lock. An allocation past the ceiling returns null: SQLite
// fails the statement that asked for it with SQLITE_NOMEM, as with its own limit.
#pragma once

#include <cstdint>

namespace almanac::db {

// Installs the allocator and turns SQLite's memory statistics off. Only before SQLite is first
// used; returns false when it is too late (SQLite keeps its own allocator and statistics).
bool InstallSqliteAllocator();
// Whether InstallSqliteAllocator succeeded.
bool SqliteAllocatorInstalled();
// The ceiling (0: none); enforced only when the allocator is installed.
void SetAllocatorHeapLimit(int64_t bytes);
// Bytes allocated through it now (within 64 KB per thread).
int64_t AllocatorBytesInUse();

}  // namespace almanac::db
