// Test helper for what is kept in step with a database's writes (the change log, the links
// index): a real SQLite file in a directory of the test's own, opened as the server opens it
// (db::Database, with its WriteQueue), and writes through the queue or by another connection.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "db/connection.h"
#include "db/database.h"

namespace almanac::changes {

class TrackedDatabaseTest : public ::testing::Test {
 protected:
  // `prefix` names the test's directory, with the test's name.
  explicit TrackedDatabaseTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = c == '/' ? '_' : c;  // "Name/Param" of parameterised tests
    dir_ =
        std::filesystem::temp_directory_path() /
        (prefix_ + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    CloseTracking();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Ends what tracks the database (before the database closes).
  virtual void CloseTracking() {}

  std::string Path() const { return (dir_ / "t.db").string(); }

  // Opens (or opens again) the database file, after closing what tracks it.
  void OpenDatabase() {
    CloseTracking();
    db_.reset();
    db::DatabaseOptions options;
    options.name = "t";
    options.path = Path();
    options.create = true;
    Result<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    db_ = std::move(opened).value();
  }

  // Runs `sql` as one job of the write queue.
  Status Write(const std::string& sql) {
    return db_->write_queue()->Run([&](db::WriteContext& ctx) { return ctx.conn().Exec(sql); });
  }

  // A read-write connection of its own to the file, as another process would have.
  std::unique_ptr<db::Connection> OtherConnection() {
    db::OpenOptions other;
    other.path = Path();
    other.read_only = false;
    Result<std::unique_ptr<db::Connection>> conn = db::Connection::Open(other);
    EXPECT_TRUE(conn.ok()) << conn.status().message();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }
  // Runs `sql` on such a connection.
  Status WriteByAnother(const std::string& sql) {
    std::unique_ptr<db::Connection> conn = OtherConnection();
    return conn ? conn->Exec(sql) : Internal("could not open another connection");
  }

  std::string prefix_;
  std::filesystem::path dir_;
  std::unique_ptr<db::Database> db_;
};

}  // namespace almanac::changes
