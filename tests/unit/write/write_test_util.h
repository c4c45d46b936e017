// Test helper for the typed write operations: a real SQLite file opened as the server opens it
// (db::Database: a writer with its WriteQueue, read connections), a permission engine, and
// helpers to run an operation's Run step through the queue. No HTTP or api type in sight.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <unistd.h>

#include "auth/permissions.h"
#include "config/config.h"
#include "config/settings.h"
#include "db/database.h"
#include "db/execute.h"
#include "format/json_value.h"

namespace almanac::write {

inline format::JsonValue Json(std::string_view text) {
  Result<format::JsonValue> parsed = format::ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : format::JsonValue();
}

inline auth::MaybeActor ActorNamed(std::string_view id) {
  return auth::Actor{Json(R"({"id": ")" + std::string(id) + R"("})")};
}

class WriteTest : public ::testing::Test {
 protected:
  // `config_json`: Datasette-style permissions for the engine; the root actor may do anything.
  void Open(const std::string& setup_sql, std::string_view config_json = "{}") {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("alm_write_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db::DatabaseOptions options;
    options.name = "scratch";
    options.path = (dir_ / "scratch.db").string();
    options.create = true;
    Result<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    db_ = std::move(opened).value();
    config_ = config::Config::FromDocuments(Json(config_json), format::JsonValue::MakeObject());
    engine_ = std::make_unique<auth::PermissionEngine>(config_, settings_,
                                                       auth::PermissionOptions{false, true});
    Status setup = db_->write_queue()->Run([&](db::WriteContext& ctx) -> Status {
      ALM_RETURN_IF_ERROR(ctx.conn().Exec(setup_sql));
      ctx.InvalidateSchema();
      return Status::Ok();
    });
    ASSERT_TRUE(setup.ok()) << setup.message();
  }
  void SetUp() override { Open(kDogs); }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  db::Connection& reader() { return **db_->ReadConnection(); }
  std::shared_ptr<const db::Schema> schema() { return db_->CurrentSchema(reader()).value(); }
  // The table as the schema holds it now (kept alive by the test).
  const db::TableInfo& Table(const std::string& name) {
    schema_ = schema();
    const db::TableInfo* table = schema_->Find(name);
    EXPECT_NE(table, nullptr) << name;
    return *table;
  }

  // Runs `run(ctx, args)` as one job of the database's WriteQueue and waits for its commit.
  template <typename R, typename Args>
  Result<R> Run(Result<R> (*run)(db::WriteContext&, const Args&), const Args& args) {
    std::optional<Result<R>> out;
    Status status = db_->write_queue()->Run([&](db::WriteContext& ctx) {
      out.emplace(run(ctx, args));
      return out->ok() ? Status::Ok() : out->status();
    });
    if (!status.ok()) return status;
    return std::move(*out);
  }

  // Every cell of the query's rows, "|"-separated ("NULL" for null).
  std::string Query(const std::string& sql) {
    Result<db::QueryResult> r = db::ExecuteUser(
        reader(), sql, std::vector<std::pair<std::string, std::string>>{}, db::Limits{});
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return "";
    std::string out;
    for (size_t i = 0; i < r->rows.cells.size(); ++i) {
      const Value& v = r->rows.cells[i];
      out += (i ? "|" : "") + (v.is_null() ? std::string("NULL") : v.ToDisplayString());
    }
    return out;
  }

  static constexpr const char* kDogs =
      "create table dogs (id integer primary key, name text not null default '', age integer, "
      "photo blob);"
      "insert into dogs (id, name, age) values (1, 'Cleo', 5), (2, 'Pancakes', 3);"
      "create table pairs (a text, b integer, v text, primary key (a, b));"
      "insert into pairs values ('x', 1, 'one');";

  std::filesystem::path dir_;
  config::Settings settings_;
  config::Config config_;
  std::unique_ptr<auth::PermissionEngine> engine_;
  std::unique_ptr<db::Database> db_;
  std::shared_ptr<const db::Schema> schema_;
  const auth::MaybeActor root_ = ActorNamed("root");
};

}  // namespace almanac::write
