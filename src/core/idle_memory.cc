#include "core/idle_memory.h"

#include <atomic>
#include <cstdlib>

#include <malloc.h>

namespace almanac {
namespace {

std::atomic<size_t> busy_trim_threshold{0};  // 0: glibc's default, never changed

// glibc trims a thread heap's top only when a chunk of at least 64 KB is freed into it and the
// top is then above the trim threshold: free such a chunk with the threshold at its floor.
constexpr size_t kTrimTrigger = 96 << 10;  // above 64 KB, under the 128 KB mmap threshold

}  // namespace

void SetBusyTrimThreshold(size_t bytes) {
  busy_trim_threshold = bytes;
  ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes));
}

void GiveBackFreeMemory() {
  size_t busy = busy_trim_threshold.load();
  if (busy > 0) ::mallopt(M_TRIM_THRESHOLD, 0);
  // volatile: the allocation must happen (an unused malloc/free pair may be elided).
  void* volatile chunk = std::malloc(kTrimTrigger);
  std::free(chunk);
  ::malloc_trim(0);
  if (busy > 0) ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(busy));
}

}  // namespace almanac
