#include "control/rate_limit.h"

namespace almanac::control {

void FailureLimiter::ExpireLocked(std::deque<Clock::time_point>& failures,
                                  Clock::time_point now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

std::optional<int64_t> FailureLimiter::RetryAfter(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = failures_.find(key);
  if (found == failures_.end()) return std::nullopt;
  ExpireLocked(found->second, now);
  if (found->second.empty()) {
    failures_.erase(found);
    return std::nullopt;
  }
  if (static_cast<int>(found->second.size()) < max_failures_) return std::nullopt;
  auto wait =
      std::chrono::duration_cast<std::chrono::seconds>(found->second.front() + window_ - now);
  return std::max<int64_t>(1, wait.count() + 1);
}

void FailureLimiter::RecordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= kMaxKeys && !failures_.contains(key)) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      ExpireLocked(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= kMaxKeys) failures_.erase(failures_.begin());
  }
  std::deque<Clock::time_point>& failures = failures_[key];
  ExpireLocked(failures, now);
  failures.push_back(now);
  while (static_cast<int>(failures.size()) > max_failures_) failures.pop_front();
}

void FailureLimiter::Clear(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace almanac::control
