// The write queue: group commit, savepoint isolation of a failing job, durability settings.
#include "db/write_queue.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/disk_quota.h"
#include "db/execute.h"

namespace almanac::db {
namespace {

class WriteQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("alm_wq_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    DatabaseOptions options;
    options.name = "t";
    options.path = (dir_ / "t.db").string();
    options.create = true;
    Result<std::unique_ptr<Database>> opened = Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    db_ = std::move(opened).value();
    ASSERT_TRUE(db_->write_queue()
                    ->Run([](WriteContext& ctx) {
                      return ctx.conn().Exec("create table t (id integer primary key, v text)");
                    })
                    .ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t Count() {
    Result<Connection*> conn = db_->ReadConnection();
    EXPECT_TRUE(conn.ok());
    Result<QueryResult> r = Execute(**conn, {"select count(*) from t", {}}, Limits{});
    EXPECT_TRUE(r.ok());
    return r->rows.at(0, 0).integer();
  }

  static WriteQueue::Work Insert(int64_t id) {
    return [id](WriteContext& ctx) -> Status {
      ALM_ASSIGN_OR_RETURN(Statement s, ctx.conn().Prepare({"insert into t (id, v) values (?, 'x')",
                                                            {Value::Integer(id)}}));
      ALM_ASSIGN_OR_RETURN(bool row, s.Step());
      (void)row;
      return Status::Ok();
    };
  }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(WriteQueueTest, WriterIsWalWithFullSync) {
  Result<QueryResult> sync = Execute(db_->writer(), {"PRAGMA synchronous", {}}, Limits{});
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->rows.at(0, 0).integer(), 2);  // FULL
  Result<QueryResult> mode = Execute(db_->writer(), {"PRAGMA journal_mode", {}}, Limits{});
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->rows.at(0, 0).text(), "wal");
  // Other processes writing the same file make the writer wait, not fail.
  Result<QueryResult> busy = Execute(db_->writer(), {"PRAGMA busy_timeout", {}}, Limits{});
  ASSERT_TRUE(busy.ok());
  EXPECT_GE(busy->rows.at(0, 0).integer(), 1000);
}

TEST_F(WriteQueueTest, WaitsForAnExternalWriter) {
  // Another connection (another process, in real life) holds the write lock; the queued job
  // waits for it through the busy timeout instead of failing with "database is locked".
  OpenOptions options;
  options.path = (dir_ / "t.db").string();
  options.read_only = false;
  Result<std::unique_ptr<Connection>> other = Connection::Open(options);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE((*other)->Exec("insert into t (id, v) values (50, 'external')").ok());
  std::promise<Status> outcome;
  db_->write_queue()->Submit(Insert(51), [&](const Status& s) { outcome.set_value(s); });
  ASSERT_TRUE((*other)->Exec("COMMIT").ok());
  EXPECT_TRUE(outcome.get_future().get().ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(WriteQueueTest, GroupsWaitingJobsIntoOneTransactionAndIsolatesAFailure) {
  // Hold the writer so the next three jobs queue up behind it and commit together.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  WriteQueue& q = *db_->write_queue();
  std::promise<Status> first;
  q.Submit(
      [&](WriteContext&) {
        holding.set_value();
        released.wait();
        return Status::Ok();
      },
      [&](const Status& s) { first.set_value(s); });
  holding.get_future().wait();
  uint64_t commits_before = q.commits();
  std::vector<std::promise<Status>> outcomes(3);
  q.Submit(Insert(1), [&](const Status& s) { outcomes[0].set_value(s); });
  q.Submit(
      [](WriteContext& ctx) -> Status {
        // Writes a row, then fails: the row must be rolled back with it.
        ALM_RETURN_IF_ERROR(ctx.conn().Exec("insert into t (id, v) values (100, 'doomed')"));
        return InvalidArgument("this job fails");
      },
      [&](const Status& s) { outcomes[1].set_value(s); });
  q.Submit(Insert(2), [&](const Status& s) { outcomes[2].set_value(s); });
  release.set_value();
  EXPECT_TRUE(first.get_future().get().ok());
  EXPECT_TRUE(outcomes[0].get_future().get().ok());
  Status failed = outcomes[1].get_future().get();
  EXPECT_EQ(failed.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(outcomes[2].get_future().get().ok());
  // The held job committed alone; the three queued behind it shared one transaction.
  EXPECT_EQ(q.commits(), commits_before + 2);
  EXPECT_EQ(Count(), 2);
}

TEST_F(WriteQueueTest, ConstraintFailureRollsBackOnlyThatJob) {
  WriteQueue& q = *db_->write_queue();
  ASSERT_TRUE(q.Run(Insert(1)).ok());
  Status duplicate = q.Run([](WriteContext& ctx) -> Status {
    ALM_RETURN_IF_ERROR(ctx.conn().Exec("insert into t (id, v) values (5, 'a')"));
    return ctx.conn().Exec("insert into t (id, v) values (1, 'again')");
  });
  EXPECT_EQ(duplicate.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(duplicate.message().find("UNIQUE constraint failed"), std::string::npos);
  EXPECT_EQ(Count(), 1);  // row 5 went with the failed job
}

TEST_F(WriteQueueTest, JobThatEndsTheTransactionDoesNotTakeOthersWithIt) {
  ASSERT_TRUE(db_->write_queue()
                  ->Run([](WriteContext& ctx) {
                    return ctx.conn().Exec(
                        "create table u (id integer primary key on conflict rollback)");
                  })
                  .ok());
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  WriteQueue& q = *db_->write_queue();
  q.Submit(
      [&](WriteContext&) {
        holding.set_value();
        released.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  holding.get_future().wait();
  std::promise<Status> a;
  std::promise<Status> b;
  std::promise<Status> c;
  q.Submit(Insert(7), [&](const Status& s) { a.set_value(s); });
  q.Submit(
      [](WriteContext& ctx) -> Status {
        ALM_RETURN_IF_ERROR(ctx.conn().Exec("insert into u values (1)"));
        return ctx.conn().Exec("insert into u values (1)");  // ON CONFLICT ROLLBACK
      },
      [&](const Status& s) { b.set_value(s); });
  q.Submit(Insert(8), [&](const Status& s) { c.set_value(s); });
  release.set_value();
  EXPECT_TRUE(a.get_future().get().ok());
  EXPECT_FALSE(b.get_future().get().ok());
  EXPECT_TRUE(c.get_future().get().ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(WriteQueueTest, ConcurrentSubmittersAllCommit) {
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!db_->write_queue()->Run(Insert(t * 1000 + i + 1)).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(Count(), kThreads * kEach);
}

TEST_F(WriteQueueTest, SchemaSeenByLaterJobsInTheSameTransaction) {
  Status s = db_->write_queue()->Run([](WriteContext& ctx) -> Status {
    ALM_RETURN_IF_ERROR(ctx.conn().Exec("create table later (a)"));
    ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
    return schema->Find("later") ? Status::Ok() : Internal("schema is stale");
  });
  EXPECT_TRUE(s.ok()) << s.message();
  Result<Connection*> conn = db_->ReadConnection();
  ASSERT_TRUE(conn.ok());
  Result<std::shared_ptr<const Schema>> schema = db_->CurrentSchema(**conn);
  ASSERT_TRUE(schema.ok());
  EXPECT_NE((*schema)->Find("later"), nullptr);
}

// A disk quota (db/disk_quota.h) on the database's directory: writes past it fail with the
// quota's message as TooLarge, the rows written before stay, and other files count against it.
TEST_F(WriteQueueTest, DiskQuotaRefusesWritesPastItAndKeepsEarlierRows) {
  {
    std::ofstream neighbour(dir_ / "neighbour.bin", std::ios::binary);
    neighbour << std::string(256 << 10, 'n');  // 256 KB of the quota used by another file
  }
  SetDiskQuota(int64_t{1} << 20, "This space is full");
  struct LiftQuota {
    ~LiftQuota() { SetDiskQuota(0, ""); }  // process-wide: never left on for other tests
  } lift_quota;
  auto big_row = [](int64_t id) -> WriteQueue::Work {
    return [id](WriteContext& ctx) -> Status {
      ALM_ASSIGN_OR_RETURN(
          Statement s,
          ctx.conn().Prepare({"insert into t (id, v) values (?, ?)",
                              {Value::Integer(id), Value::Text(std::string(50000, 'x'))}}));
      return s.Step().status();
    };
  };
  int64_t written = 0;
  Status refused;
  for (int64_t id = 1; id <= 40 && refused.ok(); ++id) {
    refused = db_->write_queue()->Run(big_row(id));
    if (refused.ok()) ++written;
  }
  ASSERT_FALSE(refused.ok()) << "2 MB of rows fitted in a 1 MB quota";
  EXPECT_EQ(refused.code(), ErrorCode::kTooLarge);
  EXPECT_EQ(refused.message(), "This space is full");
  // Neither all 768 KB left nor nothing: about 15 rows of 50 KB.
  EXPECT_GT(written, 8);
  EXPECT_LT(written, 16);
  EXPECT_EQ(Count(), written);
  // Deleting rows makes room again (their pages are reused).
  EXPECT_TRUE(
      db_->write_queue()
          ->Run([](WriteContext& ctx) { return ctx.conn().Exec("delete from t where id <= 3"); })
          .ok());
  Status after_delete = db_->write_queue()->Run(big_row(100));
  EXPECT_TRUE(after_delete.ok()) << after_delete.message();
}

}  // namespace
}  // namespace almanac::db
