// TaskPool: a fixed set of threads running tasks (copyable std::functions) in FIFO order.
// The SQL threads (facet fan-out, streamed CSV) are one of these; each thread keeps its own
// SQLite connections (thread-local state lives with the caller, not here).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace almanac {

class TaskPool {
 public:
  // A unit of work; must not throw (the pool catches and logs anything that escapes).
  using Task = std::function<void()>;

  // `on_thread_start`, when set, runs first on each new thread (to lower its priority...).
  // The threads start with the first task, not here: a server that never fans out (or not
  // yet) has none (startup, per-worker memory: docs/performance.md).
  TaskPool(size_t threads, std::string name, std::function<void()> on_thread_start = nullptr);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // `hook` is what a thread gives back when the process goes idle (see RunIdleHook). Set it
  // before the first task.
  void SetIdleHook(std::function<void()> hook);
  // Runs the idle hook once on each pool thread that ran a task since its last run of it, on
  // that thread, as soon as it has no task to run (asynchronously: this returns at once).
  void RunIdleHook();

  // Queues `task` to run on one of the pool's threads.
  void Submit(Task task);

  // Runs every task, on the pool's threads and on the calling thread, and returns when all
  // are done. Safe to call from a pool thread: the caller helps instead of blocking, so
  // nested fan-out cannot deadlock.
  void RunAll(std::vector<Task> tasks);

  // Stops accepting tasks, finishes the queued ones and joins the threads.
  void Shutdown();

  size_t size() const { return size_; }
  // True when called from one of this pool's threads.
  bool OnPoolThread() const;

 private:
  struct Batch;
  struct Entry {
    Task task;
    std::shared_ptr<Batch> batch;
  };
  void StartThreadsLocked();  // with mutex_ held
  void WorkerLoop() noexcept;
  static void RunEntry(Entry& entry) noexcept;
  void RunIdleHookHere() noexcept;

  std::string name_;
  size_t size_;
  std::function<void()> on_thread_start_;
  std::function<void()> idle_hook_;
  uint64_t idle_epoch_ = 0;  // RunIdleHook calls so far
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace almanac
