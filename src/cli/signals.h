// StopOnSignal: while alive, SIGINT and SIGTERM call `stop` (once, on a thread of its own)
// instead of killing the process, so a server can finish the requests in progress. Create it
// before starting any other thread: the signals are blocked in every thread created after it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace almanac::cli {

class StopOnSignal {
 public:
  explicit StopOnSignal(std::function<void()> stop);
  // Joins the waiting thread (Finish()).
  ~StopOnSignal();
  // From now on signals do nothing more; returns once `stop` is no longer running, so what it
  // refers to may be destroyed. Idempotent.
  void Finish();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  std::shared_ptr<std::atomic<bool>> finished_ = std::make_shared<std::atomic<bool>>(false);
  std::thread waiter_;
};

}  // namespace almanac::cli
