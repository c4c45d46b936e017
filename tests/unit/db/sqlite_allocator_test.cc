// The server's SQLite allocator (db/sqlite_allocator.h): installed before SQLite's first use
// (this executable holds only these tests, so SQLite is not initialized before), it counts what
// SQLite holds and enforces the heap ceiling: a statement past it fails with SQLITE_NOMEM and
// the connection goes on once the ceiling is raised.
#include "db/sqlite_allocator.h"

#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "db/connection.h"

namespace almanac::db {
namespace {

std::unique_ptr<Connection> Memory() {
  OpenOptions options;
  options.path = ":memory:";
  options.read_only = false;
  Result<std::unique_ptr<Connection>> conn = Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  return conn.ok() ? std::move(conn).value() : nullptr;
}

TEST(SqliteAllocatorTest, CountsAndEnforcesTheCeiling) {
  ASSERT_TRUE(InstallSqliteAllocator());
  ASSERT_TRUE(SqliteAllocatorInstalled());
  std::unique_ptr<Connection> conn = Memory();
  ASSERT_TRUE(conn);
  // SQLite's statistics (and their global mutex around each allocation) are off.
  EXPECT_EQ(sqlite3_memory_used(), 0);
  int64_t idle = AllocatorBytesInUse();
  EXPECT_GT(idle, 0);
  // 8 MB held at once (a blob in a row of a temp b-tree): fine without a ceiling...
  const char* big = "SELECT length(x) FROM (SELECT zeroblob(8000000) || x'00' AS x)";
  ASSERT_TRUE(conn->Exec(big).ok());
  // ...refused past a 4 MB one, as out of memory, and the connection goes on.
  SetAllocatorHeapLimit(idle + 4'000'000);
  Status refused = conn->Exec(big);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(sqlite3_errcode(conn->handle()) & 0xff, SQLITE_NOMEM) << refused.message();
  EXPECT_TRUE(conn->Exec("SELECT 1").ok());
  SetAllocatorHeapLimit(0);
  EXPECT_TRUE(conn->Exec(big).ok());
  // What SQLite frees is counted off (within the 64 KB a thread keeps to itself).
  conn.reset();
  EXPECT_LT(AllocatorBytesInUse(), idle);
}

TEST(SqliteAllocatorTest, ThreadsCountTheirOwnAndAddThemUp) {
  ASSERT_TRUE(InstallSqliteAllocator());
  int64_t before = AllocatorBytesInUse();
  std::unique_ptr<Connection> conns[4];
  std::thread threads[4];
  for (int i = 0; i < 4; ++i) {
    threads[i] = std::thread([&conns, i] {
      conns[i] = Memory();
      ASSERT_TRUE(conns[i]
                      ->Exec("CREATE TABLE t (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                             "SELECT i + 1 FROM n WHERE i < 20) INSERT INTO t SELECT "
                             "zeroblob(100000) FROM n")
                      .ok());
    });
  }
  for (std::thread& t : threads) t.join();  // each thread's count is added when it ends
  // Four connections holding their pages (~2 MB each): counted.
  EXPECT_GT(AllocatorBytesInUse() - before, 4 * 1'000'000);
  for (auto& conn : conns) conn.reset();
  EXPECT_LT(AllocatorBytesInUse() - before, 1'000'000);
}

}  // namespace
}  // namespace almanac::db
