// SpanTable: a flat hash table from byte ranges (one version's item texts) to small integers,
// rebuilt for every version without allocating once it has grown to size.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

namespace almanac::history {

class SpanTable {
 public:
  static constexpr uint32_t kMissing = UINT32_MAX;

  // Empties the table, sized for `n` spans (insert no more than that).
  void Reset(size_t n) {
    size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }
  // The value stored for `span`, or kMissing.
  uint32_t Find(std::string_view span) const {
    if (slots_.empty()) return kMissing;
    size_t h = std::hash<std::string_view>()(span);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.data == nullptr) return kMissing;
      if (s.hash == h && s.size == span.size() && std::memcmp(s.data, span.data(), s.size) == 0) {
        return s.value;
      }
    }
  }
  // Stores `value` for `span` unless it is there already (the first value stays).
  void Insert(std::string_view span, uint32_t value) {
    size_t h = std::hash<std::string_view>()(span);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.data == nullptr) {
        s = Slot{h, span.data(), span.size(), value};
        return;
      }
      if (s.hash == h && s.size == span.size() && std::memcmp(s.data, span.data(), s.size) == 0) {
        return;
      }
    }
  }
  void swap(SpanTable& other) noexcept {
    slots_.swap(other.slots_);
    std::swap(mask_, other.mask_);
  }

 private:
  struct Slot {
    size_t hash = 0;
    const char* data = nullptr;
    size_t size = 0;
    uint32_t value = 0;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace almanac::history
