// The floor under the JSON page scenarios of bench/run: what SQLite alone costs for the one
// statement each page runs (prepared once, a random key bound, every row stepped and every
// cell read with sqlite3_column_*), on a file shaped like bench/run's `big` table (1,000,000
// rows: id, text, integer, real, category, date) in rollback-journal mode, so that each run
// takes and drops the file lock as a page's read transaction does, memory-mapped as Almanac
// reads it. No JSON, no HTTP: a page
// can cost no less than this, whatever the server around it does.
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

namespace {

constexpr int kRows = 1'000'000;

// The benchmark file, made once per process (a few seconds) and removed at exit.
class FloorDatabase {
 public:
  FloorDatabase() {
    path_ = (std::filesystem::temp_directory_path() /
             ("alm_page_floor_" + std::to_string(::getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    sqlite3_open(path_.c_str(), &db_);
    sqlite3_exec(db_,
                 "create table big (id integer primary key, a text, b integer, c real, d text,"
                 " day text);"
                 "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000000)"
                 " insert into big select i, printf('row %d %012X', i, (i * 2654435761) % "
                 "281474976710655), (i * 7919) % 1000003, (i % 7) / 7.0, 'cat' || (i % 20),"
                 " date('2020-01-01', '+' || (i % 1000) || ' days') from n;",
                 nullptr, nullptr, nullptr);
    // As Almanac's read connections: the file memory-mapped (db/database.cc).
    sqlite3_exec(db_, "PRAGMA mmap_size=1073741824", nullptr, nullptr, nullptr);
  }
  ~FloorDatabase() {
    sqlite3_close(db_);
    std::filesystem::remove(path_);
  }
  sqlite3* db() const { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

sqlite3* Db() {
  static FloorDatabase database;
  return database.db();
}

// Steps `stmt` to the end, reading every cell as a page's JSON writer does; returns the rows.
int StepAll(sqlite3_stmt* stmt) {
  int rows = 0;
  int columns = sqlite3_column_count(stmt);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ++rows;
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          benchmark::DoNotOptimize(sqlite3_column_int64(stmt, c));
          break;
        case SQLITE_FLOAT:
          benchmark::DoNotOptimize(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_TEXT:
          benchmark::DoNotOptimize(sqlite3_column_text(stmt, c));
          benchmark::DoNotOptimize(sqlite3_column_bytes(stmt, c));
          break;
        default:
          break;
      }
    }
  }
  sqlite3_reset(stmt);
  return rows;
}

// One page's statement, run with random keys; `span` > 0 binds a second key (first + span).
void RunPage(benchmark::State& state, const char* sql, int span) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v3(Db(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  std::mt19937 rng(6);
  std::uniform_int_distribution<int> start(1, kRows - 200);
  int64_t rows = 0;
  for (auto _ : state) {
    int key = start(rng);
    sqlite3_bind_int(stmt, 1, key);
    if (span > 0) sqlite3_bind_int(stmt, 2, key + span);
    rows += StepAll(stmt);
  }
  sqlite3_finalize(stmt);
  state.SetItemsProcessed(rows);
}

// /big/big.json?_next=K: 100 rows and one more to know whether a next page exists.
void BM_FloorTablePage(benchmark::State& state) {
  RunPage(state, "select id, a, b, c, d, day from big where id > ?1 order by id limit 101", 0);
}
BENCHMARK(BM_FloorTablePage);

// /big/-/query.json?sql=select id,a,b,c,d from big where id between :lo and :hi (20 rows).
void BM_FloorQueryPage(benchmark::State& state) {
  RunPage(state, "select id, a, b, c, d from big where id between ?1 and ?2", 19);
}
BENCHMARK(BM_FloorQueryPage);

// /big/big/K.json: one row by primary key.
void BM_FloorRowPage(benchmark::State& state) {
  RunPage(state, "select id, a, b, c, d, day from big where id = ?1", 0);
}
BENCHMARK(BM_FloorRowPage);

}  // namespace
