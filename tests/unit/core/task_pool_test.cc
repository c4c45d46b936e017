#include "core/task_pool.h"

#include <atomic>
#include <filesystem>
#include <future>
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

}  // namespace
}  // namespace almanac
