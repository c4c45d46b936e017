// One read transaction per request (db/read_transaction.h): the request's statements share a
// snapshot; the scope ends the transaction on every path (return, exception, a statement
// that ran out of time), so a write right after succeeds and the next request sees it.
#include "db/read_transaction.h"

#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/execute.h"

namespace almanac::db {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kLoop =
    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";

class ReadTransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("alm_rt_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
    // Made by another program: rollback-journal mode until Almanac's first write.
    OpenOptions maker{path_, /*read_only=*/false, false, false, /*create=*/true, 0};
    Result<std::unique_ptr<Connection>> made = Connection::Open(maker);
    ASSERT_TRUE(made.ok());
    ASSERT_TRUE(
        (*made)->Exec("create table t (id integer primary key); insert into t values (1)").ok());
    made->reset();
    DatabaseOptions options;
    options.name = "t";
    options.path = path_;
    Result<std::unique_ptr<Database>> opened = Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    db_ = std::move(opened).value();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Connection& Reader() {
    Result<Connection*> conn = db_->ReadConnection();
    EXPECT_TRUE(conn.ok());
    return **conn;
  }
  int64_t Count() {
    Result<QueryResult> r = Execute(Reader(), {"select count(*) from t", {}}, Limits{});
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->rows.at(0, 0).integer() : -1;
  }
  Status Insert(int64_t id) {
    return db_->write_queue()->Run([id](WriteContext& ctx) {
      return ctx.conn().Exec("insert into t values (" + std::to_string(id) + ")");
    });
  }
  // A commit by a connection Almanac does not own, as by another program.
  Status InsertFromAnotherConnection(int64_t id) {
    OpenOptions other{path_, /*read_only=*/false, false, false, /*create=*/false, 0};
    Result<std::unique_ptr<Connection>> conn = Connection::Open(other);
    if (!conn.ok()) return conn.status();
    return (*conn)->Exec("insert into t values (" + std::to_string(id) + ")");
  }
  // The change generation as one request (its own read transaction) sees it.
  uint64_t RequestGeneration() {
    RequestReadTransaction request;
    Result<std::optional<uint64_t>> generation = db_->ChangeGeneration();
    EXPECT_TRUE(generation.ok() && generation->has_value());
    return generation.ok() && generation->has_value() ? **generation : 0;
  }
  uint64_t MonitorGeneration() {
    Result<std::optional<uint64_t>> generation = db_->ChangeGeneration();
    EXPECT_TRUE(generation.ok() && generation->has_value());
    return generation.ok() && generation->has_value() ? **generation : 0;
  }
  std::string JournalMode() {
    Result<QueryResult> r = Execute(Reader(), {"PRAGMA journal_mode", {}}, Limits{});
    return r.ok() ? r->rows.at(0, 0).text() : "";
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(ReadTransactionTest, WithoutAScopeEachStatementIsItsOwnTransaction) {
  EXPECT_FALSE(RequestReadTransaction::Active());
  EXPECT_EQ(Count(), 1);
  EXPECT_FALSE(RequestReadTransaction::InTransaction(Reader()));
}

TEST_F(ReadTransactionTest, StatementsOfOneRequestShareOneSnapshot) {
  ASSERT_TRUE(Insert(2).ok());  // the first write switches the file to WAL
  ASSERT_EQ(JournalMode(), "wal");
  {
    RequestReadTransaction request;
    EXPECT_EQ(Count(), 2);
    EXPECT_TRUE(RequestReadTransaction::InTransaction(Reader()));
    ASSERT_TRUE(Insert(3).ok());  // WAL: the writer does not wait for the reader
    EXPECT_EQ(Count(), 2);        // the request's snapshot
  }
  EXPECT_FALSE(RequestReadTransaction::InTransaction(Reader()));
  EXPECT_EQ(Count(), 3);  // the next request sees the write
}

TEST_F(ReadTransactionTest, TheChangeGenerationNamesTheRequestsSnapshot) {
  ASSERT_TRUE(Insert(2).ok());
  Result<std::optional<uint64_t>> before = db_->ChangeGeneration();
  ASSERT_TRUE(before.ok() && before->has_value());
  {
    RequestReadTransaction request;
    EXPECT_EQ(Count(), 2);
    ASSERT_TRUE(Insert(3).ok());
    // Read after the write committed, yet the request still sees the data from before it:
    // the generation is the one read as the request's transaction began.
    EXPECT_EQ(Count(), 2);
    Result<std::optional<uint64_t>> during = db_->ChangeGeneration();
    ASSERT_TRUE(during.ok());
    EXPECT_EQ(*during, *before);
  }
  Result<std::optional<uint64_t>> after = db_->ChangeGeneration();
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *before);
}

TEST_F(ReadTransactionTest, ARequestReadsTheChangeGenerationOnce) {
  // In WAL mode, so that the write below need not wait for the request: asking for the
  // generation begins the request's snapshot, and in rollback-journal mode a writer would
  // wait for the request's end (AWriterWaitsForTheRequestInRollbackJournalMode).
  ASSERT_TRUE(Insert(2).ok());
  RequestReadTransaction request;
  // Asked before anything read the database (a conditional request's ETag): the connection is
  // enlisted then, and the rest of the request gets the same answer.
  Result<std::optional<uint64_t>> first = db_->ChangeGeneration();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_TRUE(RequestReadTransaction::InTransaction(Reader()));
  ASSERT_TRUE(Insert(3).ok());
  Result<std::optional<uint64_t>> again = db_->ChangeGeneration();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
}

TEST_F(ReadTransactionTest, RequestsNameUnchangedDataAlikeAndEveryCommitAnew) {
  // Whoever commits: this process's writer, or another connection (as the sqlite3 CLI would),
  // in rollback-journal mode (as another program made the file) and in WAL mode.
  uint64_t first = RequestGeneration();
  EXPECT_EQ(RequestGeneration(), first);
  EXPECT_EQ(MonitorGeneration(), first);  // outside a request: the monitor's answer
  ASSERT_TRUE(InsertFromAnotherConnection(10).ok());
  uint64_t second = RequestGeneration();
  EXPECT_NE(second, first);
  EXPECT_EQ(RequestGeneration(), second);
  ASSERT_TRUE(Insert(2).ok());  // the first write switches the file to WAL
  ASSERT_EQ(JournalMode(), "wal");
  uint64_t third = RequestGeneration();
  EXPECT_NE(third, second);
  EXPECT_EQ(RequestGeneration(), third);
  ASSERT_TRUE(InsertFromAnotherConnection(11).ok());
  uint64_t fourth = RequestGeneration();
  EXPECT_NE(fourth, third);
  EXPECT_EQ(RequestGeneration(), fourth);
  EXPECT_EQ(MonitorGeneration(), fourth);
  RequestReadTransaction request;
  EXPECT_EQ(Count(), 4);  // and the request reads the data its generation names
}

TEST_F(ReadTransactionTest, ConnectionsOfTwoThreadsNameTheSameDataAlike) {
  // A conditional request may reach any I/O thread: its ETag must not depend on which.
  auto elsewhere = [this] {
    return std::async(std::launch::async, [this] { return RequestGeneration(); }).get();
  };
  uint64_t here = RequestGeneration();
  EXPECT_EQ(elsewhere(), here);
  ASSERT_TRUE(Insert(2).ok());
  uint64_t there = elsewhere();
  EXPECT_NE(there, here);
  EXPECT_EQ(RequestGeneration(), there);
}

TEST_F(ReadTransactionTest, AnExceptionEndsTheTransactionAndAWriteThenSucceeds) {
  ASSERT_NE(JournalMode(), "wal");
  try {
    RequestReadTransaction request;
    EXPECT_EQ(Count(), 1);  // holds the file's SHARED lock from here on
    EXPECT_TRUE(RequestReadTransaction::InTransaction(Reader()));
    throw std::runtime_error("the handler failed halfway");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(RequestReadTransaction::InTransaction(Reader()));
  // A lock left behind would make this wait out the busy timeout and fail.
  Status written = Insert(2);
  EXPECT_TRUE(written.ok()) << written.message();
  EXPECT_EQ(Count(), 2);
}

TEST_F(ReadTransactionTest, AStatementOutOfTimeFailsAloneAndTheRequestGoesOn) {
  {
    RequestReadTransaction request;
    EXPECT_EQ(Count(), 1);
    Limits limits;
    limits.deadline = Clock::now();  // the time limit applies per statement, as before
    Result<QueryResult> slow = ExecuteUser(Reader(), kLoop, Params{}, limits);
    ASSERT_FALSE(slow.ok());
    EXPECT_EQ(slow.status().code(), ErrorCode::kDeadlineExceeded);
    EXPECT_EQ(slow.status().message(), kTimeLimitMessage);
    // The next statement of the same request runs with no limit of its own.
    EXPECT_EQ(Count(), 1);
  }
  EXPECT_FALSE(RequestReadTransaction::InTransaction(Reader()));
  Status written = Insert(2);
  EXPECT_TRUE(written.ok()) << written.message();
  RequestReadTransaction next;
  EXPECT_EQ(Count(), 2);
}

TEST_F(ReadTransactionTest, AnInterruptedRequestStillEndsItsTransaction) {
  // The fast lane interrupts every statement once its budget is spent; not the COMMIT that
  // ends the request's transaction.
  {
    FastLaneScope lane(std::chrono::nanoseconds(0));
    RequestReadTransaction request;
    Result<QueryResult> slow = ExecuteUser(Reader(), kLoop, Params{}, Limits{});
    EXPECT_FALSE(slow.ok());
    EXPECT_TRUE(lane.Overrun());
    EXPECT_TRUE(RequestReadTransaction::InTransaction(Reader()));
  }
  EXPECT_FALSE(RequestReadTransaction::InTransaction(Reader()));
  EXPECT_TRUE(Insert(2).ok());
}

TEST_F(ReadTransactionTest, AWriterWaitsForTheRequestInRollbackJournalMode) {
  ASSERT_NE(JournalMode(), "wal");
  std::future<Status> write;
  {
    RequestReadTransaction request;
    EXPECT_EQ(Count(), 1);
    // The writer needs the file to itself (the switch to WAL): it waits on its busy timeout
    // while the request holds its SHARED lock, and the request's reads go on meanwhile.
    write = std::async(std::launch::async, [this] { return Insert(2); });
    EXPECT_EQ(Count(), 1);
  }
  Status written = write.get();
  EXPECT_TRUE(written.ok()) << written.message();
  EXPECT_EQ(Count(), 2);
}

TEST_F(ReadTransactionTest, NestedScopesEndTheTransactionOnceAtTheOuterEnd) {
  RequestReadTransaction outer;
  EXPECT_EQ(Count(), 1);
  {
    RequestReadTransaction inner;
    EXPECT_EQ(Count(), 1);
  }
  EXPECT_TRUE(RequestReadTransaction::InTransaction(Reader()));
  EXPECT_TRUE(RequestReadTransaction::Active());
}

TEST(ReadTransactionMemory, MemoryDatabasesAreNotEnlisted) {
  DatabaseOptions options;
  options.name = "_memory";
  options.path = "read_transaction_test_memory";
  options.memory = true;
  Result<std::unique_ptr<Database>> db = Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status().message();
  RequestReadTransaction request;
  Result<Connection*> conn = (*db)->ReadConnection();
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE(RequestReadTransaction::InTransaction(**conn));
}

// An idle thread closes its read connections (CloseThreadReaders); its next request opens
// them again and sees what was committed meanwhile, under a new generation.
TEST_F(ReadTransactionTest, ReadsGoOnAfterTheThreadClosedItsConnections) {
  EXPECT_EQ(Count(), 1);
  uint64_t before = RequestGeneration();
  Database::CloseThreadReaders();
  ASSERT_TRUE(Insert(2).ok());
  EXPECT_EQ(Count(), 2);
  uint64_t after = RequestGeneration();
  EXPECT_NE(after, before);
  Database::CloseThreadReaders();
  EXPECT_EQ(RequestGeneration(), after);
}

}  // namespace
}  // namespace almanac::db
