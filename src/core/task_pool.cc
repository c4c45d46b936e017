#include "core/task_pool.h"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace almanac {
namespace {
thread_local const TaskPool* current_pool = nullptr;
}  // namespace

struct TaskPool::Batch {
  std::mutex mutex;
  std::condition_variable done;
  size_t remaining = 0;
};

TaskPool::TaskPool(size_t threads, std::string name, std::function<void()> on_thread_start)
    : name_(std::move(name)),
      size_(threads == 0 ? 1 : threads),
      on_thread_start_(std::move(on_thread_start)) {}

void TaskPool::StartThreadsLocked() {
  if (!threads_.empty() || stopping_) return;
  threads_.reserve(size_);
  for (size_t i = 0; i < size_; ++i) {
    threads_.emplace_back([this] {
      if (on_thread_start_) on_thread_start_();
      WorkerLoop();
    });
  }
}

TaskPool::~TaskPool() { Shutdown(); }

void TaskPool::SetIdleHook(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  idle_hook_ = std::move(hook);
}

void TaskPool::RunIdleHook() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_hook_ || threads_.empty()) return;
    ++idle_epoch_;
  }
  work_ready_.notify_all();
}

void TaskPool::Submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    StartThreadsLocked();
    queue_.push_back(Entry{std::move(task), nullptr});
  }
  work_ready_.notify_one();
}

void TaskPool::RunEntry(Entry& entry) noexcept {
  try {
    entry.task();
  } catch (const std::exception& e) {
    spdlog::error("task failed: {}", e.what());
  } catch (...) {
    spdlog::error("task failed with an unknown exception");
  }
  if (entry.batch) {
    std::lock_guard lock(entry.batch->mutex);
    if (--entry.batch->remaining == 0) entry.batch->done.notify_all();
  }
}

void TaskPool::RunAll(std::vector<Task> tasks) {
  if (tasks.empty()) return;
  auto batch = std::make_shared<Batch>();
  batch->remaining = tasks.size();
  {
    std::lock_guard lock(mutex_);
    StartThreadsLocked();
    for (Task& t : tasks) queue_.push_back(Entry{std::move(t), batch});
  }
  work_ready_.notify_all();
  // Help: run this batch's tasks that nobody has picked up yet.
  for (;;) {
    Entry mine;
    {
      std::lock_guard lock(mutex_);
      auto it = queue_.begin();
      while (it != queue_.end() && it->batch != batch) ++it;
      if (it == queue_.end()) break;
      mine = std::move(*it);
      queue_.erase(it);
    }
    RunEntry(mine);
  }
  std::unique_lock lock(batch->mutex);
  batch->done.wait(lock, [&] { return batch->remaining == 0; });
}

void TaskPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool TaskPool::OnPoolThread() const { return current_pool == this; }

void TaskPool::WorkerLoop() noexcept {
  current_pool = this;
  bool worked_since_idle = false;
  uint64_t seen_idle_epoch = 0;
  for (;;) {
    Entry entry;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(
          lock, [&] { return stopping_ || !queue_.empty() || idle_epoch_ != seen_idle_epoch; });
      if (queue_.empty() && !stopping_) {
        seen_idle_epoch = idle_epoch_;
        if (!worked_since_idle) continue;
        worked_since_idle = false;
        lock.unlock();
        RunIdleHookHere();
        continue;
      }
      if (queue_.empty()) return;
      entry = std::move(queue_.front());
      queue_.pop_front();
    }
    RunEntry(entry);
    worked_since_idle = true;
  }
}

void TaskPool::RunIdleHookHere() noexcept {
  try {
    idle_hook_();
  } catch (const std::exception& e) {
    spdlog::error("{} thread's idle hook failed: {}", name_, e.what());
  } catch (...) {
    spdlog::error("{} thread's idle hook failed", name_);
  }
}

}  // namespace almanac
