#include "core/idle_memory.h"

#include <atomic>
#include <cstdlib>
#include <mutex>

#include <malloc.h>

namespace almanac {
namespace {

std::atomic<size_t> busy_trim_threshold{0};  // 0: glibc's default, never changed

// glibc trims a thread heap's top only when a chunk of at least 64 KB is freed into it and the
// top is then above the trim threshold: free such a chunk with the threshold at its floor.
constexpr size_t kTrimTrigger = 96 << 10;  // above 64 KB, under the 128 KB mmap threshold

// What glibc keeps free at the top of a heap when it grows or trims it (mallopt(3)).
constexpr int kDefaultTopPad = 128 << 10;

}  // namespace

void SetBusyTrimThreshold(size_t bytes) {
  busy_trim_threshold = bytes;
  ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes));
}

void GiveBackFreeMemory() {
  // One thread at a time: threads that go idle together must not restore the busy threshold
  // while another is about to free its trigger.
  static std::mutex one_at_a_time;
  std::lock_guard lock(one_at_a_time);
  size_t busy = busy_trim_threshold.load();
  if (busy > 0) ::mallopt(M_TRIM_THRESHOLD, 0);
  ::mallopt(M_TOP_PAD, 0);
  // volatile: the allocation must happen (an unused malloc/free pair may be elided).
  void* volatile chunk = std::malloc(kTrimTrigger);
  std::free(chunk);
  ::malloc_trim(0);
  ::mallopt(M_TOP_PAD, kDefaultTopPad);
  if (busy > 0) ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(busy));
}

}  // namespace almanac
