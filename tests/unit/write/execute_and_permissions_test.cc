// Execute-write through Parse -> Check -> Run, and the permission checks of every operation
// (denials keep Datasette's messages). A configured permission block also binds root: it is listed.
#include <gtest/gtest.h>

#include "write/alter.h"
#include "write/checks.h"
#include "write/create.h"
#include "write/drop.h"
#include "write/execute_write.h"
#include "write/insert.h"
#include "write/row_write.h"
#include "write_test_util.h"

namespace almanac::write {
namespace {

class ExecuteWriteTest : public WriteTest {
 protected:
  void SetUp() override {
    Open(kDogs, R"({"permissions": {"execute-write-sql": {"id": ["sql", "root"]},
                                    "insert-row": {"id": ["writer", "sql", "root"]},
                                    "create-table": {"id": "creator"}}})");
  }

  Result<ExecuteWriteResult> Execute(const ExecuteWriteArgs& args, const auth::MaybeActor& actor) {
    std::optional<Result<ExecuteWriteResult>> out;
    Status status = db_->write_queue()->Run([&](db::WriteContext& ctx) {
      out.emplace(RunExecuteWrite(ctx, args, *engine_, actor));
      return out->ok() ? Status::Ok() : out->status();
    });
    if (!status.ok()) return status;
    return std::move(*out);
  }
};

TEST_F(ExecuteWriteTest, RunsTheStatementWithItsParameters) {
  Result<ExecuteWriteArgs> args = ParseExecuteWrite(
      Json(R"({"sql": "insert into dogs (id, name) values (:id, :name) returning id, name",
               "params": {"id": 5, "name": "Rex"}})"),
      "scratch");
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(CheckExecuteWrite(*engine_, root_, "scratch", *args).ok());
  Result<ExecuteWriteResult> done = Execute(*args, root_);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->rowcount, 1);
  EXPECT_TRUE(done->returns_rows);
  ASSERT_EQ(done->rows.size(), 1u);
  EXPECT_EQ(done->rows.at(0, 1).text(), "Rex");
  ASSERT_FALSE(done->operations.empty());
  EXPECT_EQ(done->operations[0].operation, "insert");
  EXPECT_EQ(RequiredActions(done->operations[0]),
            (std::vector<auth::Action>{auth::Action::kInsertRow, auth::Action::kUpdateRow,
                                       auth::Action::kDeleteRow}));
  EXPECT_EQ(Query("select name from dogs where id = 5"), "Rex");
}

TEST_F(ExecuteWriteTest, EachOperationNeedsItsPermission) {
  ExecuteWriteArgs args{"scratch", "update dogs set age = 1", {}};
  ASSERT_TRUE(ValidateExecuteWrite(args).ok());
  auth::MaybeActor sql = ActorNamed("sql");
  ASSERT_TRUE(CheckExecuteWrite(*engine_, sql, "scratch", args).ok());
  Result<ExecuteWriteResult> denied = Execute(args, sql);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().message(), "Permission denied: need update-row on scratch/dogs");
  EXPECT_EQ(Query("select group_concat(age) from dogs"), "5,3");
  Result<ExecuteWriteResult> read_only = Execute({"scratch", "select 1", {}}, root_);
  EXPECT_EQ(read_only.status().message(),
            "Use /-/query for read-only SQL; this endpoint only executes writes");
  Result<ExecuteWriteResult> vacuum = Execute({"scratch", "vacuum", {}}, root_);
  EXPECT_EQ(vacuum.status().message(), "VACUUM is not allowed in user-supplied SQL");
  EXPECT_EQ(CheckExecuteWrite(*engine_, ActorNamed("writer"), "scratch", args).message(),
            "Permission denied: need execute-write-sql");
}

TEST_F(ExecuteWriteTest, JoinsThatReadNoColumnOfATableNeedViewOnIt) {
  // SQLite names no schema for a joined table none of whose columns is read (USING, NATURAL,
  // UPDATE ... FROM): such statements were refused as "Unsupported SQL operation: read table".
  for (const char* sql : {"insert into pairs (a, b, v) select d.name, d.id, 'x' from dogs d "
                          "join dogs e using (id)",
                          "insert into pairs (a, b, v) select p.a || '-n', p.b, 'y' from pairs p "
                          "natural join dogs where p.v = 'one' limit 1",
                          "update pairs set v = 'z' from dogs where pairs.b = 99"}) {
    Result<ExecuteWriteResult> done = Execute({"scratch", sql, {}}, root_);
    ASSERT_TRUE(done.ok()) << sql << ": " << done.status().message();
    // The joined table is read in this database, which needs view-table on it.
    auto reads_dogs = std::find_if(
        done->operations.begin(), done->operations.end(),
        [](const db::SqlOperation& op) { return op.operation == "read" && op.table == "dogs"; });
    ASSERT_NE(reads_dogs, done->operations.end()) << sql;
    EXPECT_EQ(reads_dogs->database, "scratch") << sql;
    EXPECT_EQ(RequiredActions(*reads_dogs), std::vector<auth::Action>{auth::Action::kViewTable});
  }
  EXPECT_EQ(Query("select group_concat(row, ' ') from (select a || '/' || v as row from pairs "
                  "order by a)"),
            "Cleo/x Pancakes/x x/one x-n/y");
}

TEST_F(ExecuteWriteTest, ParseErrors) {
  auto error = [&](std::string_view body) {
    Result<ExecuteWriteArgs> r = ParseExecuteWrite(Json(body), "scratch");
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error("[]"), "JSON must be a dictionary");
  EXPECT_EQ(error(R"({"sql": "x", "b": 1, "a": 2})"), "Invalid keys: a, b");
  EXPECT_EQ(error(R"({"sql": "x", "params": [1]})"), "params must be a dictionary");
  EXPECT_EQ(error("{}"), "SQL is required");
  EXPECT_EQ(error(R"({"sql": "delete from dogs where id = :_actor_id"})"),
            "Magic parameters are not allowed");
  EXPECT_EQ(error(R"({"sql": "delete from dogs where id = :id", "params": {"z": 1, "y": 2}})"),
            "Unknown parameters: y, z");
}

TEST_F(ExecuteWriteTest, RowAndTableOperationsDenyWithDatasettesMessages) {
  auth::MaybeActor anon;
  auth::MaybeActor writer = ActorNamed("writer");
  InsertArgs insert;
  insert.table = "dogs";
  EXPECT_TRUE(CheckInsert(*engine_, writer, "scratch", insert).ok());
  EXPECT_EQ(CheckInsert(*engine_, anon, "scratch", insert).message(), "Permission denied");
  insert.on_conflict = sql::OnConflict::kReplace;
  EXPECT_EQ(CheckInsert(*engine_, writer, "scratch", insert).message(),
            "Permission denied: need update-row to use \"replace\"");
  insert.on_conflict = sql::OnConflict::kAbort;
  insert.alter = true;
  EXPECT_EQ(CheckInsert(*engine_, writer, "scratch", insert).message(),
            "Permission denied for alter-table");
  insert.upsert = true;
  EXPECT_EQ(CheckInsert(*engine_, writer, "scratch", insert).message(),
            "Permission denied: need both insert-row and update-row");

  UpdateArgs update{"dogs", {"1"}, {}, /*alter=*/true, false};
  EXPECT_EQ(CheckUpdate(*engine_, writer, "scratch", update).message(), "Permission denied");
  EXPECT_EQ(CheckUpdate(*engine_, root_, "scratch", update).message(), "");
  EXPECT_EQ(CheckDelete(*engine_, writer, "scratch", {"dogs", {"1"}}).message(),
            "Permission denied");
  EXPECT_EQ(CheckAlter(*engine_, writer, "scratch", {"dogs", {}}).message(),
            "Permission denied: need alter-table");
  EXPECT_EQ(CheckDrop(*engine_, writer, "scratch", {"dogs", true}).message(), "Permission denied");

  CreateArgs create;
  create.table = "t";
  EXPECT_EQ(CheckCreate(*engine_, writer, "scratch", create, *schema()).message(),
            "Permission denied");
  auth::MaybeActor creator = ActorNamed("creator");
  EXPECT_TRUE(CheckCreate(*engine_, creator, "scratch", create, *schema()).ok());
  create.rows.push_back(Row{});
  EXPECT_EQ(CheckCreate(*engine_, creator, "scratch", create, *schema()).message(),
            "Permission denied: need insert-row");
}

TEST_F(ExecuteWriteTest, AnImmutableDatabaseRefusesWrites) {
  EXPECT_TRUE(CheckMutable(*db_).ok());
  db::DatabaseOptions options;
  options.name = "frozen";
  options.path = (dir_ / "scratch.db").string();
  options.immutable = true;
  Result<std::unique_ptr<db::Database>> frozen = db::Database::Open(options);
  ASSERT_TRUE(frozen.ok()) << frozen.status().message();
  EXPECT_EQ(CheckMutable(**frozen).message(), "Database is immutable");
}

}  // namespace
}  // namespace almanac::write
