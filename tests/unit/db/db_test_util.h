// Test helper: a temporary SQLite file with a small table, opened the way the server opens
// databases (a writer to build it, then a read-only connection for queries).
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "db/connection.h"

namespace almanac::db {

// Request parameters for ExecuteUser (name, value).
using Params = std::vector<std::pair<std::string, std::string>>;

class TempDatabase {
 public:
  explicit TempDatabase(const std::string& setup_sql) {
    path_ = std::filesystem::path(testing::TempDir()) /
            ("almanac_db_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) +
             ".db");
    std::filesystem::remove(path_);
    OpenOptions writer{path_.string(), /*read_only=*/false, false, false, /*create=*/true, 0};
    Result<std::unique_ptr<Connection>> w = Connection::Open(writer);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE((*w)->Exec(setup_sql).ok()) << setup_sql;
    w->reset();
    OpenOptions reader{path_.string(), /*read_only=*/true, false, false, false, 0};
    Result<std::unique_ptr<Connection>> r = Connection::Open(reader);
    EXPECT_TRUE(r.ok());
    read_ = std::move(r).value();
  }
  ~TempDatabase() {
    read_.reset();
    std::filesystem::remove(path_);
  }
  Connection& reader() { return *read_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
  std::unique_ptr<Connection> read_;
};

}  // namespace almanac::db
