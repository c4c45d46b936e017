#include "db/sqlite_allocator.h"

#include <atomic>
#include <cstdlib>

#include <malloc.h>
#include <sqlite3.h>

namespace almanac::db {
namespace {

constexpr int64_t kFlushBytes = 64 * 1024;

std::atomic<bool> installed{false};
std::atomic<int64_t> limit_bytes{0};
std::atomic<int64_t> shared_bytes{0};  // the threads' counts, as last added

// This thread's change not added yet; added when the thread ends.
struct ThreadCount {
  int64_t bytes = 0;
  ~ThreadCount() { shared_bytes.fetch_add(bytes, std::memory_order_relaxed); }
};
thread_local ThreadCount thread_count;

void Count(int64_t delta) {
  int64_t& bytes = thread_count.bytes;
  bytes += delta;
  if (bytes >= kFlushBytes || bytes <= -kFlushBytes) {
    shared_bytes.fetch_add(bytes, std::memory_order_relaxed);
    bytes = 0;
  }
}

bool Fits(int64_t more) {
  int64_t limit = limit_bytes.load(std::memory_order_relaxed);
  return limit <= 0 ||
         shared_bytes.load(std::memory_order_relaxed) + thread_count.bytes + more <= limit;
}

void* Malloc(int n) {
  if (!Fits(n)) return nullptr;
  void* p = std::malloc(static_cast<size_t>(n));
  if (p) Count(static_cast<int64_t>(malloc_usable_size(p)));
  return p;
}

void Free(void* p) {
  if (!p) return;
  Count(-static_cast<int64_t>(malloc_usable_size(p)));
  std::free(p);
}

void* Realloc(void* p, int n) {
  auto before = static_cast<int64_t>(malloc_usable_size(p));
  if (n > before && !Fits(n - before)) return nullptr;
  void* q = std::realloc(p, static_cast<size_t>(n));
  if (q) Count(static_cast<int64_t>(malloc_usable_size(q)) - before);
  return q;
}

int Size(void* p) { return p ? static_cast<int>(malloc_usable_size(p)) : 0; }

int Roundup(int n) { return (n + 7) & ~7; }

int Init(void*) { return SQLITE_OK; }

void Shutdown(void*) {}

}  // namespace

bool InstallSqliteAllocator() {
  static const sqlite3_mem_methods methods{&Malloc,  &Free, &Realloc,  &Size,
                                           &Roundup, &Init, &Shutdown, nullptr};
  // SQLITE_MISUSE once SQLite is initialized.
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) return installed;
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  installed = true;
  return true;
}

bool SqliteAllocatorInstalled() { return installed; }

void SetAllocatorHeapLimit(int64_t bytes) { limit_bytes = bytes > 0 ? bytes : 0; }

int64_t AllocatorBytesInUse() { return shared_bytes.load() + thread_count.bytes; }

}  // namespace almanac::db
