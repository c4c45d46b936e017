#include "core/task_pool.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace almanac {
namespace {

TEST(TaskPool, RunAllRunsEveryTask) {
  TaskPool pool(3, "test");
  std::atomic<int> count{0};
  std::vector<TaskPool::Task> tasks;
  for (int i = 0; i < 100; ++i) tasks.emplace_back([&count] { ++count; });
  pool.RunAll(std::move(tasks));
  EXPECT_EQ(count.load(), 100);
}

size_t ThreadsOfThisProcess() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

// A pool costs no threads until it has work: a server that never fans out starts none.
TEST(TaskPool, ThreadsStartWithTheFirstTask) {
  size_t before = ThreadsOfThisProcess();
  TaskPool pool(3, "test");
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(ThreadsOfThisProcess(), before);
  std::promise<void> ran;
  pool.Submit([&] { ran.set_value(); });
  ran.get_future().get();
  EXPECT_EQ(ThreadsOfThisProcess(), before + 3);
  pool.Shutdown();
}

TEST(TaskPool, ShutdownOfAnUnusedPoolStartsNoThreads) {
  size_t before = ThreadsOfThisProcess();
  TaskPool pool(2, "test");
  pool.Shutdown();
  pool.Submit([] {});
  EXPECT_EQ(ThreadsOfThisProcess(), before);
}

TEST(TaskPool, SubmitRunsOnAPoolThread) {
  TaskPool pool(2, "test");
  std::promise<bool> on_pool;
  pool.Submit([&] { on_pool.set_value(pool.OnPoolThread()); });
  EXPECT_TRUE(on_pool.get_future().get());
  EXPECT_FALSE(pool.OnPoolThread());
}

TEST(TaskPool, NestedRunAllOnASingleThreadDoesNotDeadlock) {
  TaskPool pool(1, "test");
  std::atomic<int> count{0};
  std::promise<void> done;
  pool.Submit([&] {
    std::vector<TaskPool::Task> inner;
    for (int i = 0; i < 10; ++i) inner.emplace_back([&count] { ++count; });
    pool.RunAll(std::move(inner));  // the only pool thread helps instead of blocking
    done.set_value();
  });
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(count.load(), 10);
}

TEST(TaskPool, AThrowingTaskDoesNotStopThePool) {
  TaskPool pool(1, "test");
  std::atomic<int> count{0};
  std::vector<TaskPool::Task> tasks;
  tasks.emplace_back([] { throw std::runtime_error("boom"); });
  tasks.emplace_back([&count] { ++count; });
  pool.RunAll(std::move(tasks));
  EXPECT_EQ(count.load(), 1);
  std::promise<void> after;
  pool.Submit([&] { after.set_value(); });
  EXPECT_EQ(after.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
}

TEST(TaskPool, ShutdownFinishesQueuedTasks) {
  std::atomic<int> count{0};
  {
    TaskPool pool(2, "test");
    for (int i = 0; i < 50; ++i) pool.Submit([&count] { ++count; });
    pool.Shutdown();
    EXPECT_EQ(count.load(), 50);
  }
  EXPECT_EQ(count.load(), 50);
}

// When the process goes idle, each thread that worked gives back what it keeps, on itself.
TEST(TaskPool, IdleHookRunsOnEachThreadThatRanATask) {
  TaskPool pool(3, "test");
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::thread::id> hooked;
  pool.SetIdleHook([&] {
    std::lock_guard lock(mutex);
    hooked.push_back(std::this_thread::get_id());
    changed.notify_all();
  });
  auto wait_for_hooks = [&](size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(30), [&] { return hooked.size() >= n; });
  };
  // Two tasks that meet, so that two different threads run them; the third thread runs none.
  std::set<std::thread::id> workers;
  int arrived = 0;
  int left = 0;
  for (int i = 0; i < 2; ++i) {
    pool.Submit([&] {
      std::unique_lock lock(mutex);
      workers.insert(std::this_thread::get_id());
      ++arrived;
      changed.notify_all();
      changed.wait(lock, [&] { return arrived == 2; });
      ++left;
      changed.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return left == 2; }));
  }
  ASSERT_EQ(workers.size(), 2u);
  pool.RunIdleHook();
  ASSERT_TRUE(wait_for_hooks(2));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(std::set<std::thread::id>(hooked.begin(), hooked.end()), workers);
  }
  // A thread runs it again only after working again.
  std::promise<std::thread::id> ran_on;
  pool.Submit([&] { ran_on.set_value(std::this_thread::get_id()); });
  std::thread::id worked = ran_on.get_future().get();
  pool.RunIdleHook();
  ASSERT_TRUE(wait_for_hooks(3));
  std::lock_guard lock(mutex);
  EXPECT_EQ(hooked[2], worked);
}

}  // namespace
}  // namespace almanac
