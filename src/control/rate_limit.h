// FailureLimiter: at most `max_failures` failed attempts per key (an account name, a client
// address) within a sliding `window`; past that, attempts for the key are refused until the
// oldest failure leaves the window. In memory (a restart forgets), bounded: keys whose failures
// have all expired are dropped, and at most kMaxKeys keys are tracked. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace almanac::control {

class FailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxKeys = 100'000;

  FailureLimiter(int max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}

  // nullopt when `key` may try now; otherwise the seconds until it may.
  std::optional<int64_t> RetryAfter(const std::string& key, Clock::time_point now);
  void RecordFailure(const std::string& key, Clock::time_point now);
  // A success clears the key's failures.
  void Clear(const std::string& key);

 private:
  void ExpireLocked(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  const int max_failures_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace almanac::control
