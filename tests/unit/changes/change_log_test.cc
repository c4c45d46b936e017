// The change log: every row change made through the write queue is in _almanac_changes, in
// order, gap-free, committed with the change (and rolled back with it); the edge cases of
// SQLite's write paths; writes by another connection become a resync event; the sequence
// survives a restart; retention.
#include "changes/change_log.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "changes/change_reader.h"
#include "db/database.h"
#include "tracked_db_test_util.h"

namespace almanac::changes {
namespace {

class ChangeLogTest : public TrackedDatabaseTest {
 protected:
  ChangeLogTest() : TrackedDatabaseTest("alm_changes_") {}
  void SetUp() override {
    TrackedDatabaseTest::SetUp();
    Open();
  }
  void CloseTracking() override { log_.reset(); }

  void Open(ChangeLogOptions options = {}) {
    OpenDatabase();
    options.outside_poll = std::chrono::hours(1);  // tests look for outside writes themselves
    Result<std::unique_ptr<ChangeLog>> log = ChangeLog::Attach(*db_, options);
    ASSERT_TRUE(log.ok()) << log.status().message();
    log_ = std::move(log).value();
  }

  std::vector<ChangeEvent> Events(int64_t after = 0) {
    Result<std::unique_ptr<db::Connection>> conn = db_->OpenStreamingConnection();
    EXPECT_TRUE(conn.ok());
    Result<std::vector<ChangeEvent>> events = ReadChanges(**conn, after, std::nullopt, 100000);
    EXPECT_TRUE(events.ok()) << events.status().message();
    return events.ok() ? *events : std::vector<ChangeEvent>{};
  }

  // "op table pk" of each event, for compact expectations.
  std::vector<std::string> Summary(int64_t after = 0) {
    std::vector<std::string> out;
    for (const ChangeEvent& e : Events(after)) out.push_back(e.op + " " + e.table + " " + e.pk);
    return out;
  }

  std::unique_ptr<ChangeLog> log_;
};

using Lines = std::vector<std::string>;

TEST_F(ChangeLogTest, InsertUpdateDeleteAreLoggedInOrderWithValues) {
  ASSERT_TRUE(Write("create table t (id integer primary key, v text)").ok());
  ASSERT_TRUE(Write("insert into t values (1, 'a'), (2, 'b')").ok());
  ASSERT_TRUE(Write("update t set v = 'c' where id = 2").ok());
  ASSERT_TRUE(Write("delete from t where id = 1").ok());
  EXPECT_EQ(Summary(), (Lines{"insert t [1]", "insert t [2]", "update t [2]", "delete t [1]"}));
  std::vector<ChangeEvent> events = Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[3].seq, 4);
  EXPECT_EQ(events[2].row, R"({"id": 2, "v": "c"})");
  EXPECT_EQ(events[2].old, "");  // old values only when asked
  EXPECT_EQ(events[3].row, "");
  EXPECT_EQ(log_->last_seq(), 4);
  std::vector<ChangeLog::EventPtr> recent;
  EXPECT_TRUE(log_->Recent(2, 10, recent));
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0]->seq, 3);
  EXPECT_EQ(recent[0]->json,
            R"({"seq": 3, "time_ms": )" + std::to_string(recent[0]->time_ms) +
                R"(, "table": "t", "op": "update", "pk": [2], "row": {"id": 2, "v": "c"}})");
}

TEST_F(ChangeLogTest, OldValuesWhenAsked) {
  ChangeLogOptions options;
  options.old_values = true;
  Open(options);
  ASSERT_TRUE(Write("create table t (id integer primary key, v text)").ok());
  ASSERT_TRUE(Write("insert into t values (1, 'a')").ok());
  ASSERT_TRUE(Write("update t set v = 'b'").ok());
  std::vector<ChangeEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].old, R"({"id": 1, "v": "a"})");
}

TEST_F(ChangeLogTest, EachWriteLogsItsOwnValuesWhateverTheWritesBefore) {
  // The capture refills the same slots write after write: values of other types, shorter,
  // longer or missing must not keep anything of the values before them.
  ChangeLogOptions options;
  options.old_values = true;
  Open(options);
  const std::string long_text(5000, 'x');
  ASSERT_TRUE(Write("create table t (id integer primary key, v, w)").ok());
  ASSERT_TRUE(Write("insert into t values (1, '" + long_text + "', x'00ff'), (2, 'b', 2.5)").ok());
  ASSERT_TRUE(Write("insert into t values (3, 42, null), (4, 'c', 'dd')").ok());
  ASSERT_TRUE(Write("update t set v = null, w = 'e' where id = 1").ok());
  ASSERT_TRUE(Write("delete from t where id = 4").ok());
  ASSERT_TRUE(Write("insert into t values (5, 'f', null)").ok());
  std::vector<ChangeEvent> events = Events();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].row, R"({"id": 1, "v": ")" + long_text +
                               R"(", "w": {"$base64": true, )"
                               R"("encoded": "AP8="}})");
  EXPECT_EQ(events[1].row, R"({"id": 2, "v": "b", "w": 2.5})");
  EXPECT_EQ(events[2].row, R"({"id": 3, "v": 42, "w": null})");
  EXPECT_EQ(events[3].row, R"({"id": 4, "v": "c", "w": "dd"})");
  EXPECT_EQ(events[4].row, R"({"id": 1, "v": null, "w": "e"})");
  EXPECT_EQ(events[4].old, R"({"id": 1, "v": ")" + long_text +
                               R"(", "w": {"$base64": true, )"
                               R"("encoded": "AP8="}})");
  EXPECT_EQ(events[5].op, "delete");
  EXPECT_EQ(events[5].old, R"({"id": 4, "v": "c", "w": "dd"})");
  EXPECT_EQ(events[6].row, R"({"id": 5, "v": "f", "w": null})");
  EXPECT_EQ(events[6].old, "");  // an insert has no old values, whatever the slot held
}

TEST_F(ChangeLogTest, AFailedJobLeavesNoEventAndNoGap) {
  ASSERT_TRUE(Write("create table t (id integer primary key, v text not null)").ok());
  ASSERT_TRUE(Write("insert into t values (1, 'a')").ok());
  EXPECT_FALSE(Write("insert into t values (2, 'b'); insert into t values (3, null)").ok());
  ASSERT_TRUE(Write("insert into t values (4, 'd')").ok());
  std::vector<ChangeEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].pk, "[4]");
  EXPECT_EQ(events[1].seq, 2);
}

TEST_F(ChangeLogTest, DeleteWithoutWhereLogsEveryRow) {
  ASSERT_TRUE(Write("create table t (id integer primary key, v text)").ok());
  ASSERT_TRUE(Write("insert into t values (1, 'a'), (2, 'b'), (3, 'c')").ok());
  ASSERT_TRUE(Write("delete from t").ok());
  EXPECT_EQ(Summary(3), (Lines{"delete t [1]", "delete t [2]", "delete t [3]"}));
}

TEST_F(ChangeLogTest, ReplaceConflictLogsTheRowItRemoved) {
  ASSERT_TRUE(Write("create table t (id integer primary key, email text unique)").ok());
  ASSERT_TRUE(Write("insert into t values (1, 'a@x'), (2, 'b@x')").ok());
  ASSERT_TRUE(Write("insert or replace into t values (3, 'a@x')").ok());
  EXPECT_EQ(Summary(2), (Lines{"delete t [1]", "insert t [3]"}));
}

TEST_F(ChangeLogTest, CascadesAreLogged) {
  ASSERT_TRUE(db_->writer().Exec("PRAGMA foreign_keys = ON").ok());
  ASSERT_TRUE(Write("create table p (id integer primary key);"
                    "create table c (id integer primary key, "
                    "p integer references p(id) on delete cascade)")
                  .ok());
  ASSERT_TRUE(Write("insert into p values (1); insert into c values (10, 1), (11, 1)").ok());
  ASSERT_TRUE(Write("delete from p where id = 1").ok());
  Lines got = Summary(3);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Lines{"delete c [10]", "delete c [11]", "delete p [1]"}));
}

TEST_F(ChangeLogTest, PrimaryKeyChangeIsADeleteAndAnInsert) {
  ASSERT_TRUE(Write("create table t (id integer primary key, v text)").ok());
  ASSERT_TRUE(Write("insert into t values (1, 'a')").ok());
  ASSERT_TRUE(Write("update t set id = 5 where id = 1").ok());
  EXPECT_EQ(Summary(1), (Lines{"delete t [1]", "insert t [5]"}));
}

TEST_F(ChangeLogTest, WithoutRowidAndCompoundKeys) {
  ASSERT_TRUE(
      Write("create table w (a text, b integer, v text, primary key (b, a)) without rowid").ok());
  ASSERT_TRUE(Write("insert into w values ('x', 1, 'one')").ok());
  ASSERT_TRUE(Write("update w set v = 'uno' where a = 'x'").ok());
  ASSERT_TRUE(Write("delete from w").ok());
  EXPECT_EQ(Summary(),
            (Lines{"insert w [1, \"x\"]", "update w [1, \"x\"]", "delete w [1, \"x\"]"}));
  EXPECT_EQ(Events()[1].row, R"({"a": "x", "b": 1, "v": "uno"})");
}

TEST_F(ChangeLogTest, RowidTablesUseTheRowid) {
  ASSERT_TRUE(Write("create table r (v text)").ok());
  ASSERT_TRUE(Write("insert into r values ('a')").ok());
  EXPECT_EQ(Summary(), (Lines{"insert r [1]"}));
}

TEST_F(ChangeLogTest, DroppedTableKeepsItsEvents) {
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());
  ASSERT_TRUE(Write("insert into t values (1); drop table t").ok());
  EXPECT_EQ(Summary(), (Lines{"insert t [1]"}));
}

TEST_F(ChangeLogTest, AWriteByAnotherConnectionIsAResync) {
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());
  ASSERT_TRUE(Write("insert into t values (1)").ok());
  ASSERT_TRUE(WriteByAnother("insert into t values (2)").ok());
  ASSERT_TRUE(Write("insert into t values (3)").ok());
  EXPECT_EQ(Summary(), (Lines{"insert t [1]", "resync  ", "insert t [3]"}));
}

TEST_F(ChangeLogTest, TheSequenceSurvivesARestart) {
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());
  ASSERT_TRUE(Write("insert into t values (1), (2)").ok());
  Open();
  EXPECT_EQ(log_->last_seq(), 2);
  std::vector<ChangeLog::EventPtr> recent;
  EXPECT_FALSE(log_->Recent(0, 10, recent));  // not in memory after a restart: read the table
  ASSERT_TRUE(Write("insert into t values (3)").ok());
  std::vector<ChangeEvent> events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].seq, 3);
}

TEST_F(ChangeLogTest, RetentionKeepsTheNewestRows) {
  ChangeLogOptions options;
  options.max_rows = 2;
  Open(options);
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(Write("insert into t values (" + std::to_string(i) + ")").ok());
  }
  std::vector<ChangeEvent> events = Events();
  // Pruned at the start of each write: at most max_rows older events, plus the newest write's.
  ASSERT_LE(events.size(), 3u);
  EXPECT_EQ(events.back().seq, 5);
}

// A log of the first layout (one `_almanac_changes` row per event, JSON text) is moved into
// batches when attached: the same seqs and bytes, a cursor inside it resumes, the table filter
// and the next seq work, and the old table is gone.
TEST_F(ChangeLogTest, AFirstLayoutLogIsMovedWithItsEventsAndCursors) {
  log_.reset();
  db_.reset();
  ASSERT_TRUE(
      WriteByAnother("DROP TABLE IF EXISTS _almanac_change_batches;"
                     "CREATE TABLE _almanac_changes (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT "
                     "NULL, table_name TEXT, op TEXT NOT NULL, pk TEXT, row TEXT, old TEXT);"
                     "CREATE INDEX _almanac_changes_by_table ON _almanac_changes(table_name, seq);"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v);"
                     "INSERT INTO _almanac_changes VALUES "
                     "(3, 1000, 't', 'insert', '[1]', '{\"id\": 1, \"v\": \"\\u00e9\"}', NULL),"
                     "(4, 1001, NULL, 'resync', NULL, NULL, NULL),"
                     "(5, 1003, 't', 'update', '[1]', '{\"id\": 1, \"v\": 2.5}', "
                     "'{\"id\": 1, \"v\": \"\\u00e9\"}'),"
                     "(6, 1002, 'u', 'delete', '[\"a\", 2]', NULL, NULL)")
          .ok());
  Open();
  EXPECT_EQ(log_->last_seq(), 6);
  std::vector<ChangeEvent> events = Events();
  ASSERT_EQ(events.size(), 4u);
  auto expect = [](int64_t seq, int64_t time, const char* table, const char* op, const char* pk,
                   const char* row, const char* old) {
    ChangeEvent e;
    e.seq = seq;
    e.time_ms = time;
    e.table = table;
    e.op = op;
    e.pk = pk;
    e.row = row;
    e.old = old;
    RenderJson(e);
    return e.json;
  };
  EXPECT_EQ(events[0].json,
            expect(3, 1000, "t", "insert", "[1]", R"({"id": 1, "v": "\u00e9"})", ""));
  EXPECT_EQ(events[1].json, expect(4, 1001, "", "resync", "", "", ""));
  EXPECT_EQ(events[2].json, expect(5, 1003, "t", "update", "[1]", R"({"id": 1, "v": 2.5})",
                                   R"({"id": 1, "v": "\u00e9"})"));
  EXPECT_EQ(events[3].json, expect(6, 1002, "u", "delete", R"(["a", 2])", "", ""));
  EXPECT_EQ(Summary(4), (Lines{"update t [1]", "delete u [\"a\", 2]"}));
  {
    Result<std::unique_ptr<db::Connection>> conn = db_->OpenStreamingConnection();
    ASSERT_TRUE(conn.ok());
    Result<std::vector<ChangeEvent>> only_t = ReadChanges(**conn, 0, std::string("t"), 10);
    ASSERT_TRUE(only_t.ok());
    EXPECT_EQ(only_t->size(), 2u);
    Result<db::Statement> old = (*conn)->Prepare(
        {"SELECT count(*) FROM sqlite_master WHERE name LIKE '_almanac_changes%'", {}});
    ASSERT_TRUE(old.ok());
    ASSERT_TRUE(*old->Step());
    EXPECT_EQ(old->ColumnInt(0), 0);
  }
  ASSERT_TRUE(Write("insert into t values (2, 'x')").ok());
  events = Events(6);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, 7);
  EXPECT_EQ(events[0].row, R"({"id": 2, "v": "x"})");
}

// One row per write, whatever its number of events.
TEST_F(ChangeLogTest, AWriteIsOneRowOfTheLog) {
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());
  ASSERT_TRUE(Write("insert into t values (1), (2), (3)").ok());
  ASSERT_TRUE(Write("insert into t values (4)").ok());
  std::unique_ptr<db::Connection> conn = OtherConnection();
  ASSERT_TRUE(conn);
  Result<db::Statement> rows =
      conn->Prepare({"SELECT seq, n FROM _almanac_change_batches ORDER BY seq", {}});
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> seen;
  while (*rows->Step()) {
    seen.push_back(std::to_string(rows->ColumnInt(0)) + "+" + std::to_string(rows->ColumnInt(1)));
  }
  EXPECT_EQ(seen, (Lines{"1+3", "4+1"}));
  EXPECT_EQ(Summary(2), (Lines{"insert t [3]", "insert t [4]"}));
}

// A table=-filtered read looks at a bounded number of writes and says how far it looked, so that
// a rare table's events are found page by page, none skipped, rather than by one scan of the log.
TEST_F(ChangeLogTest, AFilteredReadLooksAtABoundedNumberOfWrites) {
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());  // seq: none (no rows)
  ASSERT_TRUE(Write("create table u (id integer primary key)").ok());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(Write("insert into t values (" + std::to_string(i) + ")").ok());  // seqs 1-5
  }
  ASSERT_TRUE(Write("insert into u values (1), (2)").ok());  // seqs 6-7
  ASSERT_TRUE(Write("insert into t values (6)").ok());       // seq 8
  std::unique_ptr<db::Connection> conn = OtherConnection();
  ASSERT_TRUE(conn);
  std::vector<int64_t> found;
  std::vector<int64_t> stops;
  int64_t cursor = 0;
  for (int reads = 0; reads < 10 && cursor < 8; ++reads) {
    int64_t through = -1;
    Result<std::vector<ChangeEvent>> events =
        ReadChanges(*conn, cursor, std::string("u"), 10, /*max_writes=*/2, &through);
    ASSERT_TRUE(events.ok()) << events.status().message();
    for (const ChangeEvent& e : *events) found.push_back(e.seq);
    ASSERT_GT(through, cursor);
    stops.push_back(through);
    cursor = through;
  }
  EXPECT_EQ(found, (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(stops, (std::vector<int64_t>{2, 4, 7, 8}));
  // Stopped by the limit inside a write: through is the last event returned.
  int64_t through = -1;
  Result<std::vector<ChangeEvent>> one = ReadChanges(*conn, 5, std::string("u"), 1, 100, &through);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(through, 6);
}

TEST_F(ChangeLogTest, WaitersWakeOnCommit) {
  ASSERT_TRUE(Write("create table t (id integer primary key)").ok());
  std::promise<bool> woken;
  log_->WaitAfter(log_->last_seq(), [&](bool stopping) { woken.set_value(stopping); });
  EXPECT_EQ(log_->waiters(), 1u);
  ASSERT_TRUE(Write("insert into t values (1)").ok());
  EXPECT_FALSE(woken.get_future().get());
  std::promise<bool> ended;
  log_->WaitAfter(log_->last_seq(), [&](bool stopping) { ended.set_value(stopping); });
  log_->Stop();
  EXPECT_TRUE(ended.get_future().get());
}

TEST(ChangeLogOptionsTest, Parse) {
  EXPECT_FALSE(ParseChangeLogOptions(nullptr)->has_value());
  format::JsonValue on = format::JsonValue::MakeObject();
  on.as_object().emplace_back("changes", format::JsonValue::Bool(true));
  EXPECT_TRUE(ParseChangeLogOptions(&on)->has_value());
}

}  // namespace
}  // namespace almanac::changes
