// The backlinks index: kept exact by every kind of write (checked against a recount with
// Verify after each), counts from the stored counters, keyset pages, soft links and JSON paths,
// schema changes (drop, rename, alter), rollbacks and writes by another connection; each with
// the link changes merged after every write, left pending, or merged every few changes.
// Then the pending changes themselves: read exactly, merged once beside the writer (which a
// merge never holds up), a failed or crashed merge; and a side file that is missing, another
// file's or behind, rebuilt when the index opens.
#include "links/link_index.h"

#include <chrono>
#include <filesystem>
#include <future>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../changes/tracked_db_test_util.h"
#include "changes/change_log.h"
#include "format/json_value.h"
#include "links/link_merger.h"
#include "links/link_pending.h"
#include "links/link_reader.h"
#include "links/link_store.h"

namespace almanac::links {
namespace {

using Lines = std::vector<std::string>;

class LinkIndexTest : public changes::TrackedDatabaseTest {
 protected:
  LinkIndexTest() : TrackedDatabaseTest("alm_links_") {}
  void CloseTracking() override {
    log_.reset();
    index_.reset();
    reader_.reset();
  }
  void Close() {
    CloseTracking();
    db_.reset();
  }

  // Opens the database, runs `setup` (before the index exists), then starts the index.
  void Open(const std::string& setup, LinkOptions options = {}) {
    OpenDatabase();
    if (!setup.empty()) {
      ASSERT_TRUE(Write(setup).ok());
    }
    options.merge_every = merge_every_;
    options.merge_when_idle_ms = merge_when_idle_ms_;
    options.merge_gap_ms = merge_gap_ms_;
    Result<std::unique_ptr<LinkIndex>> index = LinkIndex::Open(*db_, options);
    ASSERT_TRUE(index.ok()) << index.status().message();
    index_ = std::move(index).value();
    changes::ChangeLogOptions log_options;
    log_options.events = false;
    log_options.outside_poll = std::chrono::hours(1);
    Result<std::unique_ptr<changes::ChangeLog>> log =
        changes::ChangeLog::Attach(*db_, log_options, {index_.get()});
    ASSERT_TRUE(log.ok()) << log.status().message();
    log_ = std::move(log).value();
    // The build at open is a merge beside the writer: done before the test goes on, so that
    // the test's own writes are what is pending.
    ASSERT_TRUE(index_->MergeNow().ok());
  }

  db::Connection& Reader() {
    if (!reader_) {
      Result<std::unique_ptr<db::Connection>> conn = db_->OpenStreamingConnection();
      EXPECT_TRUE(conn.ok());
      reader_ = std::move(conn).value();
    }
    return *reader_;
  }

  // The index matches a recount from the rows.
  void ExpectExact() {
    reader_.reset();
    Result<std::shared_ptr<const db::Schema>> schema = db_->CurrentSchema(Reader());
    ASSERT_TRUE(schema.ok());
    Result<VerifyReport> report = Verify(Reader(), **schema, index_->options());
    ASSERT_TRUE(report.ok()) << report.status().message();
    std::string examples;
    for (const std::string& e : report->examples) examples += e + "\n";
    EXPECT_TRUE(report->ok()) << examples;
  }

  // "table.column=n" per source of links to (table, key).
  std::vector<std::string> Counts(const std::string& table, const std::string& key) {
    reader_.reset();
    Result<std::vector<SourceCount>> counts = CountLinks(*index_, Reader(), table, key);
    EXPECT_TRUE(counts.ok()) << counts.status().message();
    std::vector<std::string> out;
    for (const SourceCount& c : *counts) {
      out.push_back(c.table + "." + c.column + "=" + std::to_string(c.count));
    }
    return out;
  }

  // Link changes not merged yet, read from a fresh reader.
  int64_t Pending() {
    reader_.reset();
    Result<db::Statement> stmt = Reader().Prepare(
        {"SELECT coalesce(sum(max(n, 0)), 0) FROM main._almanac_link_pending WHERE seq > "
         "(SELECT through FROM almanac_links._almanac_links_merged)",
         {}});
    EXPECT_TRUE(stmt.ok()) << stmt.status().message();
    if (!stmt.ok() || !*stmt->Step()) return -1;
    return stmt->ColumnInt(0);
  }
  // Waits for the merges to catch up (no figure on how soon: the machine may be busy).
  void WaitUntilMerged() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (Pending() != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // A connection of its own to the file with the side file attached, as another process.
  std::unique_ptr<db::Connection> OtherWithSide() {
    std::unique_ptr<db::Connection> conn = OtherConnection();
    if (conn) {
      EXPECT_TRUE(AttachSide(*conn, SidePath(Path())).ok());
    }
    return conn;
  }

  // Every linking row of (table, key), read in pages of `size`, as "table.column pk".
  Lines AllPages(const std::string& table, const std::string& key, size_t size) {
    reader_.reset();
    Lines out;
    std::optional<LinkingRow> after;
    for (int pages = 0; pages < 1000; ++pages) {
      Result<std::vector<LinkingRow>> rows =
          PageLinks(*index_, Reader(), table, key, std::nullopt, after, size);
      EXPECT_TRUE(rows.ok()) << rows.status().message();
      if (!rows.ok()) break;
      for (const LinkingRow& row : *rows)
        out.push_back(row.table + "." + row.column + " " + row.pk);
      if (rows->size() < size) break;
      after = rows->back();
    }
    return out;
  }

  // What readers see of the links to users/1, and the pending rows.
  struct Seen {
    int64_t pending = 0;
    Lines counts;
    Lines pages;
    bool operator==(const Seen&) const = default;
  };
  Seen SeenOfUser1() { return Seen{Pending(), Counts("users", "1"), AllPages("users", "1", 3)}; }
  // Merges: readers then see what they saw, with nothing pending, and the index is exact.
  void ExpectAMergeKeeps(Seen seen) {
    ASSERT_TRUE(index_->MergeNow().ok());
    seen.pending = 0;
    EXPECT_EQ(SeenOfUser1(), seen);
    ExpectExact();
  }

  size_t merge_every_ = LinkOptions().merge_every;
  int64_t merge_when_idle_ms_ = 0;  // no merge at a moment of the machine's choosing
  int64_t merge_gap_ms_ = 0;        // a merge as soon as merge_every changes wait
  std::unique_ptr<LinkIndex> index_;
  std::unique_ptr<changes::ChangeLog> log_;
  std::unique_ptr<db::Connection> reader_;
};

// The same tests with the link changes merged after every write (merge_every 0), left
// pending (never merged, but for rebuilds), and merged every few changes.
class LinkIndexEveryWayTest : public LinkIndexTest, public ::testing::WithParamInterface<size_t> {
 protected:
  void SetUp() override {
    merge_every_ = GetParam();
    LinkIndexTest::SetUp();
  }
};

INSTANTIATE_TEST_SUITE_P(Links, LinkIndexEveryWayTest, ::testing::Values(0, 1'000'000, 3),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return param.param == 0   ? std::string("EveryWrite")
                                  : param.param == 3 ? std::string("Merged")
                                                     : std::string("Pending");
                         });

const char* kSchema =
    "create table users (id integer primary key, name text);"
    "create table posts (id integer primary key, author integer references users(id), "
    "editor integer references users(id), meta text);"
    "insert into users values (1, 'ann'), (2, 'bob');"
    "insert into posts values (10, 1, 2, null), (11, 1, 1, null);";

TEST_P(LinkIndexEveryWayTest, BuildsFromExistingRowsAndCounts) {
  Open(kSchema);
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=2", "posts.editor=1"}));
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.editor=1"}));
  EXPECT_EQ(Counts("users", "3"), Lines{});
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, InsertUpdateDeleteKeepItExact) {
  Open(kSchema);
  ASSERT_TRUE(Write("insert into posts values (12, 2, null, null)").ok());
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=1", "posts.editor=1"}));
  ASSERT_TRUE(Write("update posts set author = 2 where id = 10").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=1", "posts.editor=1"}));
  ASSERT_TRUE(Write("update posts set author = null where id = 11").ok());
  ASSERT_TRUE(Write("delete from posts where id = 12").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.editor=1"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, DeleteWithoutWhereReplaceAndCascade) {
  Open("");
  ASSERT_TRUE(db_->writer().Exec("PRAGMA foreign_keys = ON").ok());
  ASSERT_TRUE(Write("create table users (id integer primary key, email text unique);"
                    "create table posts (id integer primary key, "
                    "author integer references users(id) on delete cascade, slug text unique);"
                    "insert into users values (1, 'a'), (2, 'b');"
                    "insert into posts values (10, 1, 'x'), (11, 1, 'y'), (12, 2, 'z')")
                  .ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=2"}));
  // REPLACE removes post 10 (same slug) and adds post 13
  ASSERT_TRUE(Write("insert or replace into posts values (13, 2, 'x')").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=1"}));
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=2"}));
  ExpectExact();
  // The cascade deletes user 2's posts
  ASSERT_TRUE(Write("delete from users where id = 2").ok());
  EXPECT_EQ(Counts("users", "2"), Lines{});
  ExpectExact();
  // Everything at once
  ASSERT_TRUE(Write("delete from posts").ok());
  EXPECT_EQ(Counts("users", "1"), Lines{});
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, PrimaryKeyChangesAndWithoutRowid) {
  Open(
      "create table users (id integer primary key);"
      "create table likes (user integer references users(id), post text, "
      "primary key (user, post)) without rowid;"
      "insert into users values (1), (2);"
      "insert into likes values (1, 'a'), (1, 'b');");
  EXPECT_EQ(Counts("users", "1"), (Lines{"likes.user=2"}));
  ASSERT_TRUE(Write("update likes set user = 2 where post = 'a'").ok());
  ASSERT_TRUE(Write("update likes set post = 'c' where post = 'b'").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"likes.user=1"}));
  EXPECT_EQ(Counts("users", "2"), (Lines{"likes.user=1"}));
  ExpectExact();
  Result<std::vector<LinkingRow>> rows =
      PageLinks(*index_, Reader(), "users", "1", std::nullopt, std::nullopt, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].pk, R"([1, "c"])");
}

TEST_P(LinkIndexEveryWayTest, SoftLinksAndJsonPaths) {
  LinkOptions options;
  options.soft.push_back(
      {"posts", "meta", "$.reviewers[*]", *ParsePath("$.reviewers[*]"), "users"});
  options.soft.push_back({"notes", "user_ref", "", {}, "users"});
  Open(std::string(kSchema) +
           "create table notes (id integer primary key, user_ref text);"
           "insert into notes values (1, '2');"
           "update posts set meta = '{\"reviewers\": [1, 2, 2]}' where id = 10;",
       options);
  EXPECT_EQ(Counts("users", "2"),
            (Lines{"notes.user_ref=1", "posts.editor=1", "posts.meta$.reviewers[*]=1"}));
  ASSERT_TRUE(Write("update posts set meta = '{\"reviewers\": [1]}' where id = 10").ok());
  EXPECT_EQ(Counts("users", "2"), (Lines{"notes.user_ref=1", "posts.editor=1"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, ASoftLinkDeclaredOnAForeignKeyCountsOnce) {
  // The same (table, column, target) as the foreign key: one kind, each link once.
  LinkOptions options;
  options.soft.push_back({"posts", "author", "", {}, "users"});
  Open(kSchema, options);
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=2", "posts.editor=1"}));
  ASSERT_TRUE(Write("insert into posts values (12, 1, 2, null)").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=3", "posts.editor=1"}));
  ASSERT_TRUE(Write("delete from posts where id = 10").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=2", "posts.editor=1"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, DropRenameAndAlter) {
  Open(kSchema);
  ASSERT_TRUE(Write("alter table posts rename to articles").ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"articles.author=2", "articles.editor=1"}));
  ExpectExact();
  ASSERT_TRUE(Write("alter table users rename to people").ok());
  EXPECT_EQ(Counts("people", "1"), (Lines{"articles.author=2", "articles.editor=1"}));
  EXPECT_EQ(Counts("users", "1"), Lines{});
  ExpectExact();
  ASSERT_TRUE(Write("create table more (id integer primary key, p integer references people(id));"
                    "insert into more values (1, 1)")
                  .ok());
  EXPECT_EQ(Counts("people", "1"), (Lines{"articles.author=2", "articles.editor=1", "more.p=1"}));
  ASSERT_TRUE(Write("drop table articles").ok());
  EXPECT_EQ(Counts("people", "1"), (Lines{"more.p=1"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, AFailedWriteLeavesTheIndexAlone) {
  Open(kSchema);
  EXPECT_FALSE(Write("insert into posts values (20, 2, 2, null); insert into posts values (10, "
                     "1, 1, null)")
                   .ok());
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.editor=1"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, AWriteByAnotherConnectionRebuilds) {
  Open(kSchema);
  ASSERT_TRUE(WriteByAnother("insert into posts values (30, 2, 2, null)").ok());
  ASSERT_TRUE(Write("insert into users values (3, 'cy')").ok());
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=1", "posts.editor=2"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, KeysetPages) {
  Open(kSchema);
  std::string many = "insert into posts values ";
  for (int i = 0; i < 25; ++i) {
    many += (i ? ", (" : "(") + std::to_string(100 + i) + ", 1, null, null)";
  }
  ASSERT_TRUE(Write(many).ok());
  std::optional<LinkingRow> after;
  size_t seen = 0;
  for (int pages = 0; pages < 10; ++pages) {
    Result<std::vector<LinkingRow>> rows =
        PageLinks(*index_, Reader(), "users", "1", LinkSource{"posts", "author"}, after, 10);
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    seen += rows->size();
    if (rows->size() < 10) break;
    after = rows->back();
  }
  EXPECT_EQ(seen, 27u);
}

TEST_P(LinkIndexEveryWayTest, ATableTransformedInOneWriteIsRebuilt) {
  Open(kSchema);
  // sqlite-utils' transform: a new table under a temporary name, the rows copied (and changed),
  // the old table dropped, the new one renamed. Same name and definitions as before: only the
  // table's root page tells that it is another table.
  ASSERT_TRUE(Write("create table posts_new (id integer primary key, author integer references "
                    "users(id), editor integer references users(id), meta text);"
                    "insert into posts_new select id, 2, 2, meta from posts;"
                    "drop table posts;"
                    "alter table posts_new rename to posts")
                  .ok());
  EXPECT_EQ(Counts("users", "1"), Lines{});
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=2", "posts.editor=2"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, SeveralRowsOfOneJobAreNetted) {
  Open(kSchema);
  // Added and removed in the same write: the counters end where they started.
  ASSERT_TRUE(Write("insert into posts values (30, 2, 2, null);"
                    "update posts set author = 1 where id = 30;"
                    "update posts set author = 2 where id = 30;"
                    "delete from posts where id = 30;"
                    "update posts set id = 40 where id = 10")
                  .ok());
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=2", "posts.editor=1"}));
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.editor=1"}));
  ExpectExact();
  Result<std::vector<LinkingRow>> rows =
      PageLinks(*index_, Reader(), "users", "1", LinkSource{"posts", "author"}, std::nullopt, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].pk, "[11]");
  EXPECT_EQ((*rows)[1].pk, "[40]");
}

TEST_P(LinkIndexEveryWayTest, ASchemaChangeRolledBackWithItsTransactionLeavesNoStaleKinds) {
  Open(kSchema);
  // Three jobs in one transaction: the second makes a table (a reconcile, new kinds), the
  // third takes the whole transaction down, and the first two run again in a new one.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::future<Status>> outcomes;
  auto submit = [&](std::function<Status(db::WriteContext&)> work) {
    auto done = std::make_shared<std::promise<Status>>();
    outcomes.push_back(done->get_future());
    db_->write_queue()->Submit(std::move(work),
                               [done](const Status& status) { done->set_value(status); });
  };
  submit([released](db::WriteContext&) {
    released.wait();
    return Status::Ok();
  });
  submit([](db::WriteContext& ctx) {
    return ctx.conn().Exec(
        "create table if not exists notes (id integer primary key, u integer references "
        "users(id)); insert or replace into notes values (1, 1)");
  });
  submit([](db::WriteContext& ctx) {
    return ctx.conn().Exec("insert or rollback into users values (1, 'again')");
  });
  release.set_value();
  for (auto& outcome : outcomes) (void)outcome.get();
  EXPECT_EQ(Counts("users", "1"), (Lines{"notes.u=1", "posts.author=2", "posts.editor=1"}));
  ASSERT_TRUE(
      Write("insert into notes values (2, 2); insert into posts values (50, 2, 1, null)").ok());
  EXPECT_EQ(Counts("users", "2"), (Lines{"notes.u=1", "posts.author=1", "posts.editor=1"}));
  ExpectExact();
}

TEST_P(LinkIndexEveryWayTest, TheFirstLayoutIsReplaced) {
  Open(kSchema);
  Close();
  std::filesystem::remove(SidePath(Path()));
  ASSERT_TRUE(WriteByAnother("create table _almanac_links (target_table text, target_key text, "
                             "source_table text, source_column text, source_pk text);"
                             "create table _almanac_link_counts (target_table text, target_key "
                             "text, source_table text, source_column text, n integer)")
                  .ok());
  Open("");
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=2", "posts.editor=1"}));
  ExpectExact();
}

// Pending changes that add, remove and re-add links, read beside the index's own rows.
const char* kChurn =
    "insert into posts values (12, 1, null, null), (13, 2, 1, null);"
    "delete from posts where id = 10;"
    "update posts set author = 2 where id = 11;"
    "update posts set author = 1 where id = 11;"
    "insert into posts values (5, 1, 1, null), (20, 1, null, null)";

TEST_F(LinkIndexTest, PendingChangesAreReadExactlyAndMergedOnce) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  // One write per statement: separate pending rows for the same link.
  std::string sql = kChurn;
  for (size_t start = 0, end; start < sql.size(); start = end + 1) {
    end = sql.find(';', start);
    if (end == std::string::npos) end = sql.size();
    ASSERT_TRUE(Write(sql.substr(start, end - start)).ok());
  }
  Seen before = SeenOfUser1();
  EXPECT_GT(before.pending, 0);
  EXPECT_EQ(before.counts, (Lines{"posts.author=4", "posts.editor=3"}));
  EXPECT_EQ(before.pages, (Lines{"posts.author [5]", "posts.author [11]", "posts.author [12]",
                                 "posts.author [20]", "posts.editor [5]", "posts.editor [11]",
                                 "posts.editor [13]"}));
  ExpectExact();
  ExpectAMergeKeeps(before);
  ExpectAMergeKeeps(before);  // merging again changes nothing
}

TEST_F(LinkIndexTest, EnoughPendingChangesAreMergedBesideTheWriter) {
  merge_every_ = 4;
  Open(kSchema);
  ASSERT_TRUE(Write("insert into posts values (20, 1, 2, null)").ok());  // 2 changes
  EXPECT_EQ(Pending(), 2);
  ASSERT_TRUE(Write("insert into posts values (21, 2, 1, null)").ok());  // 4: a merge is due
  WaitUntilMerged();
  EXPECT_EQ(Pending(), 0);
  ASSERT_TRUE(Write("insert into posts values (22, 2, null, null)").ok());
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=2", "posts.editor=2"}));
  ExpectExact();
  // One write with more changes than merge_every: merged beside the writer too.
  ASSERT_TRUE(Write("delete from posts where id = 22;"
                    "insert into posts values (30, 1, 1, null), (31, 1, 1, null)")
                  .ok());
  WaitUntilMerged();
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=5", "posts.editor=4"}));
  ExpectExact();
}

// The merges take the side file's write lock only: while another program holds it (as a long
// merge would), writes go on at once and readers still see every link.
TEST_F(LinkIndexTest, MergesWaitForTheGapUnlessFourTimesMergeEveryWait) {
  merge_every_ = 3;
  merge_gap_ms_ = 3'600'000;  // an hour from the build's merge at open
  Open(kSchema);
  ASSERT_TRUE(Write("insert into posts values (20, 1, 1, null), (21, 2, null, null)").ok());
  EXPECT_EQ(Pending(), 3);  // merge_every wait, but the gap has not passed
  ASSERT_TRUE(Write("insert into posts values (22, 1, 2, null), (23, 2, 2, null)").ok());
  EXPECT_EQ(Pending(), 7);
  // 4 x merge_every wait: merged without waiting for the gap
  ASSERT_TRUE(
      Write("insert into posts values (24, 1, 2, null), (25, 2, 2, null), (26, 1, null, null)")
          .ok());
  WaitUntilMerged();
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=3", "posts.editor=5"}));
  ExpectExact();
}

TEST_F(LinkIndexTest, AMergeNeverHoldsUpTheWriter) {
  merge_every_ = 0;  // a merge after every write
  Open(kSchema);
  std::unique_ptr<db::Connection> other = OtherWithSide();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other
                  ->Exec("BEGIN; UPDATE almanac_links._almanac_links_merged SET through = "
                         "through")
                  .ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        Write("insert into posts values (" + std::to_string(60 + i) + ", 2, 2, null)").ok());
  }
  EXPECT_EQ(Pending(), 10);
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=5", "posts.editor=6"}));
  ASSERT_TRUE(other->Exec("COMMIT").ok());
  WaitUntilMerged();
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Counts("users", "2"), (Lines{"posts.author=5", "posts.editor=6"}));
  ExpectExact();
}

// Merged rows are deleted by later writes, but never the newest: a seq is never used twice.
TEST_F(LinkIndexTest, MergedRowsAreDeletedButSeqsNeverComeBack) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  ASSERT_TRUE(Write("insert into posts values (20, 1, 2, null)").ok());
  ASSERT_TRUE(index_->MergeNow().ok());
  ASSERT_TRUE(Write("insert into users values (7, 'no links')").ok());  // deletes merged rows
  auto seqs = [&] {
    reader_.reset();
    Result<db::Statement> stmt = Reader().Prepare(
        {"SELECT count(*), coalesce(max(seq), 0) FROM main._almanac_link_pending", {}});
    EXPECT_TRUE(stmt.ok() && *stmt->Step());
    return std::make_pair(stmt->ColumnInt(0), stmt->ColumnInt(1));
  };
  auto [rows, newest] = seqs();
  EXPECT_EQ(rows, 1);  // the newest stays
  ASSERT_TRUE(Write("insert into posts values (21, 1, 2, null)").ok());
  auto [rows_after, newest_after] = seqs();
  EXPECT_EQ(rows_after, 2);
  EXPECT_GT(newest_after, newest);
  EXPECT_EQ(Pending(), 2);
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=4", "posts.editor=1"}));
  ExpectExact();
}

// The side file can always be made again: missing, another database's, or behind the pending
// rows (a power cut lost its last merges after the writer deleted them), it is rebuilt.
TEST_F(LinkIndexTest, ASideFileThatDoesNotMatchIsRebuilt) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  ASSERT_TRUE(Write(kChurn).ok());
  ASSERT_TRUE(index_->MergeNow().ok());
  ASSERT_TRUE(Write("insert into posts values (70, 2, 1, null)").ok());  // deletes merged rows
  Seen before = SeenOfUser1();
  before.pending = 0;  // a rebuild leaves nothing pending
  Close();
  // Behind: rows it never merged were deleted.
  {
    std::unique_ptr<db::Connection> conn = OtherWithSide();
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->Exec("UPDATE almanac_links._almanac_links_merged SET through = 0").ok());
  }
  Open("");
  EXPECT_EQ(SeenOfUser1(), before);
  ExpectExact();
  // Another database's.
  Close();
  {
    std::unique_ptr<db::Connection> conn = OtherWithSide();
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->Exec("UPDATE almanac_links._almanac_links_merged SET main_id = 'other';"
                           "DELETE FROM almanac_links._almanac_links")
                    .ok());
  }
  Open("");
  EXPECT_EQ(SeenOfUser1(), before);
  ExpectExact();
  // Missing.
  Close();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(SidePath(Path()) + suffix);
  }
  Open("");
  EXPECT_EQ(SeenOfUser1(), before);
  ExpectExact();
}

TEST_F(LinkIndexTest, ChangesLeftPendingAreMergedOnceWritesStop) {
  merge_every_ = 1'000'000;
  merge_when_idle_ms_ = 1;
  Open(kSchema);
  ASSERT_TRUE(Write(kChurn).ok());
  WaitUntilMerged();
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Counts("users", "1"), (Lines{"posts.author=4", "posts.editor=3"}));
  ExpectExact();
}

// A merge that fails after writing the index (as a crash would stop it) leaves the index and its
// seq as they were: the next merge applies each change once.
TEST_F(LinkIndexTest, AMergeStoppedHalfwayIsUndoneWhole) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  ASSERT_TRUE(Write(kChurn).ok());
  Seen before = SeenOfUser1();
  ASSERT_GT(before.pending, 0);
  // The index and counters are written first; the new seq then fails.
  std::unique_ptr<db::Connection> other = OtherWithSide();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other
                  ->Exec("CREATE TRIGGER almanac_links.stop_merge BEFORE UPDATE ON "
                         "_almanac_links_merged WHEN new.through > old.through BEGIN SELECT "
                         "raise(abort, 'stopped'); END")
                  .ok());
  EXPECT_FALSE(index_->MergeNow().ok());
  EXPECT_EQ(SeenOfUser1(), before);
  ExpectExact();
  ASSERT_TRUE(other->Exec("DROP TRIGGER almanac_links.stop_merge").ok());
  ExpectAMergeKeeps(before);
}

// A process killed in the middle of a merge, after some of its pages reached the side file's
// WAL, never committed it: the files opened again have the index and its seq as before.
TEST_F(LinkIndexTest, AMergeCutByAKillIsDoneOnceAfterwards) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  ASSERT_TRUE(Write(kChurn).ok());
  Seen before = SeenOfUser1();
  Close();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::unique_ptr<db::Connection> conn = OtherWithSide();
    bool merged = conn && conn->Exec("PRAGMA almanac_links.cache_size = 1; BEGIN").ok() &&
                  MergePending(*conn, LinkOptions{}).ok();
    _exit(merged ? 9 : 1);  // no COMMIT, no rollback: killed
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 9) << "the merge failed in the child";
  Open("");  // merges at open: each change once, the cut merge left nothing behind
  before.pending = 0;
  EXPECT_EQ(SeenOfUser1(), before);
  ExpectExact();
  ExpectAMergeKeeps(before);
}

TEST_F(LinkIndexTest, VerifyFindsAPendingChangeThatDisagreesWithTheIndex) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  // A pending addition of a link the index holds already.
  Result<db::Statement> first =
      Reader().Prepare({"SELECT kind, target_key, source_pk FROM _almanac_links LIMIT 1", {}});
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(*first->Step());
  LinkChanges added{LinkChange{Entry{first->ColumnInt(0), std::string(first->ColumnText(1)),
                                     StoredPk::FromColumn(*first, 2)},
                               1}};
  *first = db::Statement();
  std::string hex;
  for (unsigned char c : EncodeLinkChanges(added)) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  ASSERT_TRUE(
      Write("insert into _almanac_link_pending (n, changes) values (1, x'" + hex + "')").ok());
  reader_.reset();
  Result<std::shared_ptr<const db::Schema>> schema = db_->CurrentSchema(Reader());
  ASSERT_TRUE(schema.ok());
  Result<VerifyReport> report = Verify(Reader(), **schema, index_->options());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  EXPECT_EQ(report->bad_counts, 1);
}

// A file whose pending changes are in the first layout (one row per change, with a delta): the
// index opens it, moves them into one row of the blob layout (their seqs start again, so the
// index is rebuilt), and readers and merges see the same links as before.
TEST_F(LinkIndexTest, FirstLayoutPendingChangesAreMovedAtOpen) {
  merge_every_ = 1'000'000;
  Open(kSchema);
  ASSERT_TRUE(Write(kChurn).ok());
  Seen before = SeenOfUser1();
  ASSERT_GT(before.pending, 0);
  Close();
  {
    // Rewrite the pending table as the first layout stored it.
    std::unique_ptr<db::Connection> conn = OtherConnection();
    ASSERT_TRUE(conn);
    LinkChanges all;
    {
      Result<db::Statement> rows = conn->Prepare(
          {"SELECT changes FROM _almanac_link_pending WHERE n >= 0 ORDER BY seq", {}});
      ASSERT_TRUE(rows.ok());
      while (*rows->Step()) {
        ASSERT_TRUE(DecodeLinkChanges(rows->ColumnBlob(0), std::nullopt, std::nullopt, all).ok());
      }
    }
    ASSERT_TRUE(conn->Exec("DROP TABLE _almanac_link_pending; CREATE TABLE _almanac_link_pending "
                           "(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, target_key TEXT NOT "
                           "NULL, source_pk NOT NULL, delta INTEGER NOT NULL)")
                    .ok());
    for (const LinkChange& change : all) {
      Result<db::Statement> insert = conn->Prepare(
          {"INSERT INTO _almanac_link_pending (kind, target_key, source_pk, delta) VALUES (?, ?, "
           "?, ?)",
           {Value::Integer(change.entry.kind), Value::Text(change.entry.target_key),
            change.entry.source_pk.is_int ? Value::Integer(change.entry.source_pk.integer)
                                          : Value::Text(change.entry.source_pk.text),
            Value::Integer(change.delta)}});
      ASSERT_TRUE(insert.ok());
      ASSERT_TRUE(insert->Step().ok());
    }
  }
  Open("");
  Seen after = SeenOfUser1();
  EXPECT_EQ(after.counts, before.counts);
  EXPECT_EQ(after.pages, before.pages);
  Result<db::Statement> layout = Reader().Prepare(
      {"SELECT count(*) FROM pragma_table_info('_almanac_link_pending') WHERE name = 'delta'", {}});
  ASSERT_TRUE(layout.ok());
  ASSERT_TRUE(*layout->Step());
  EXPECT_EQ(layout->ColumnInt(0), 0);
  *layout = db::Statement();
  ExpectExact();
  before.pending = after.pending;
  ExpectAMergeKeeps(before);
}

TEST(LinkPendingTest, ChangesRoundTripAndNet) {
  LinkChanges changes{
      LinkChange{Entry{3, "k\xc3\xa9y", StoredPk::FromJson("[-9223372036854775808]")}, 1},
      LinkChange{Entry{1, std::string("a\0b", 3), StoredPk::FromJson("[\"x\", 2]")}, -1},
      LinkChange{Entry{1, "", StoredPk::FromJson("[5]")}, 1},
      LinkChange{Entry{1, "", StoredPk::FromJson("[5]")}, -1},
      LinkChange{Entry{2, "t", StoredPk::FromJson("[7]")}, 1}};
  LinkChanges back;
  ASSERT_TRUE(DecodeLinkChanges(EncodeLinkChanges(changes), std::nullopt, std::nullopt, back).ok());
  ASSERT_EQ(back.size(), changes.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_TRUE(back[i].entry == changes[i].entry) << i;
    EXPECT_EQ(back[i].delta, changes[i].delta) << i;
  }
  NetChanges(back);
  ASSERT_EQ(back.size(), 3u);  // the +1 and -1 of [5] cancel
  EXPECT_EQ(back[0].entry.target_key, std::string("a\0b", 3));
  EXPECT_EQ(back[1].entry.kind, 2);
  EXPECT_EQ(back[2].entry.source_pk.integer, std::numeric_limits<int64_t>::min());
  LinkChanges some;
  ASSERT_TRUE(DecodeLinkChanges(EncodeLinkChanges(changes), 1, std::nullopt, some).ok());
  EXPECT_EQ(some.size(), 3u);
  some.clear();
  ASSERT_TRUE(DecodeLinkChanges(EncodeLinkChanges(changes), std::nullopt, "t", some).ok());
  EXPECT_EQ(some.size(), 1u);
  std::string blob = EncodeLinkChanges(changes);
  for (size_t cut = 1; cut < blob.size(); ++cut) {
    LinkChanges out;
    Status status =
        DecodeLinkChanges(std::string_view(blob).substr(0, cut), std::nullopt, std::nullopt, out);
    // A cut between two changes reads as fewer changes; inside one it is an error.
    if (status.ok()) {
      EXPECT_LT(out.size(), changes.size());
    }
  }
}

// Pending rows of several writes are read back merged: sorted, one change per link, the
// changes that cancel out across writes gone; the filters by target and by kind.
TEST(LinkPendingTest, RowsOfSeveralWritesAreMergedAndNetted) {
  db::OpenOptions options;
  options.path = ":memory:";
  options.read_only = false;
  Result<std::unique_ptr<db::Connection>> opened = db::Connection::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  db::Connection& conn = **opened;
  ASSERT_TRUE(conn.Exec(PendingSchemaSql()).ok());
  auto change = [](int64_t kind, const char* target, int64_t pk, int delta) {
    return LinkChange{Entry{kind, target, StoredPk::FromJson("[" + std::to_string(pk) + "]")},
                      delta};
  };
  std::vector<LinkChanges> writes{
      {change(1, "a", 1, 1), change(1, "b", 2, 1), change(2, "a", 3, 1)},
      {change(1, "a", 1, -1), change(1, "a", 4, 1)},
      {change(1, "a", 0, 1), change(2, "b", 5, -1), change(3, "a", 9, 1)}};
  for (LinkChanges& write : writes) {
    NetChanges(write);
    ASSERT_TRUE(AppendPending(conn, write).ok());
  }
  ASSERT_TRUE(AppendMarker(conn, {4, 9}).ok());
  Result<PendingSpan> span = PendingSpanAfter(conn, 0);
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->changes, 8);
  EXPECT_EQ(span->first_seq, 1);
  EXPECT_EQ(span->last_seq, 4);
  auto lines = [](const Result<PendingRead>& read) {
    std::vector<std::string> out;
    EXPECT_TRUE(read.ok());
    if (!read.ok()) return out;
    EXPECT_EQ(read->reset, (std::set<int64_t>{4, 9}));
    EXPECT_EQ(read->last_seq, 4);
    for (const LinkChange& c : read->changes) {
      out.push_back(std::to_string(c.entry.kind) + " " + c.entry.target_key + " " +
                    c.entry.source_pk.ToJson() + " " + std::to_string(c.delta));
    }
    return out;
  };
  EXPECT_EQ(lines(PendingForTarget(conn, 0, "a")),
            (Lines{"1 a [0] 1", "1 a [4] 1", "2 a [3] 1", "3 a [9] 1"}));
  EXPECT_EQ(lines(PendingForKind(conn, 0, 1)), (Lines{"1 a [0] 1", "1 a [4] 1", "1 b [2] 1"}));
  EXPECT_EQ(lines(PendingForKind(conn, 0, 2)), (Lines{"2 a [3] 1", "2 b [5] -1"}));
  // After a seq: the rows merged are left out (the removal of 1 a [1] stays, its addition was
  // merged).
  EXPECT_EQ(lines(PendingForTarget(conn, 1, "a")),
            (Lines{"1 a [0] 1", "1 a [1] -1", "1 a [4] 1", "3 a [9] 1"}));
  // Deleting merged rows keeps the newest.
  ASSERT_TRUE(DeleteMerged(conn, 4).ok());
  span = PendingSpanAfter(conn, 0);
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->first_seq, 4);
  EXPECT_EQ(span->last_seq, 4);
}

TEST(LinkStoreTest, KeysAsStoredAndTheirOrder) {
  EXPECT_TRUE(StoredPk::FromJson("[5]").is_int);
  EXPECT_EQ(StoredPk::FromJson("[-12]").integer, -12);
  for (const char* text :
       {"[05]", "[-0]", "[1.5]", "[1, 2]", "[\"5\"]", "[]", "[+5]", "[99999999999999999999]"}) {
    StoredPk pk = StoredPk::FromJson(text);
    EXPECT_FALSE(pk.is_int) << text;
    EXPECT_EQ(pk.ToJson(), text);
  }
  EXPECT_EQ(StoredPk::FromJson("[-3]").ToJson(), "[-3]");
  // SQLite's order: integers by value before any text.
  EXPECT_TRUE(StoredPk::FromJson("[2]") < StoredPk::FromJson("[10]"));
  EXPECT_TRUE(StoredPk::FromJson("[10]") < StoredPk::FromJson("[\"a\"]"));
  EXPECT_FALSE(StoredPk::FromJson("[\"a\"]") < StoredPk::FromJson("[10]"));
}

TEST(LinkDefsTest, Paths) {
  EXPECT_TRUE(ParsePath("$.a.b[*]").ok());
  EXPECT_TRUE(ParsePath("$[0].id").ok());
  EXPECT_FALSE(ParsePath("a.b").ok());
  EXPECT_FALSE(ParsePath("$.a[x]").ok());
}

TEST(LinkDefsTest, MergeOptions) {
  auto parse = [](std::string_view json) {
    Result<format::JsonValue> config = format::ParseJson(json);
    EXPECT_TRUE(config.ok());
    return ParseLinkOptions(&*config);
  };
  Result<std::optional<LinkOptions>> options =
      parse(R"({"links": {"merge_every": 10, "merge_gap_ms": 0}})");
  ASSERT_TRUE(options.ok()) << options.status().message();
  ASSERT_TRUE(options->has_value());
  EXPECT_EQ((*options)->merge_every, 10u);
  EXPECT_EQ((*options)->merge_gap_ms, 0);
  options = parse(R"({"links": true})");
  ASSERT_TRUE(options.ok() && options->has_value());
  EXPECT_EQ((*options)->merge_gap_ms, 100);  // the default
  options = parse(R"({"links": {"merge_gap_ms": -1}})");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "links.merge_gap_ms must be a whole number of zero or more");
  options = parse(R"({"links": {"merge_gap": 5}})");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "Unknown option links.merge_gap (known: soft, merge_every, merge_gap_ms)");
}

}  // namespace
}  // namespace almanac::links
