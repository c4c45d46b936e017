#include "db/value_counts.h"

#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "db/sqlite_value.h"

namespace almanac::db {
namespace {

// The aggregate SQLite calls for every row: counting inside the VM loop costs about half of
// stepping each row out to C++ and a quarter of a sorting GROUP BY.
constexpr const char* kFunction = "almanac_count_values";
constexpr const char* kTooMany = "almanac: too many distinct values";

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct Counter {
  size_t max_groups = 0;
  bool overflow = false;
  std::string key;
  std::unordered_map<std::string, size_t, KeyHash, std::equal_to<>> index;
  std::vector<sql::FacetCount> counts;
};

// The counter of the CountValues call running on this thread (a connection is used by one
// thread at a time); null otherwise, when the function does nothing.
thread_local Counter* active_counter = nullptr;

void AppendInteger(std::string& key, int64_t i) {
  char bytes[sizeof i];
  std::memcpy(bytes, &i, sizeof i);
  key += 'i';
  key.append(bytes, sizeof bytes);
}

// The grouping key of `v` (GROUP BY's equality); false for NULL.
bool GroupKey(sqlite3_value* v, std::string& key) {
  key.clear();
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      AppendInteger(key, sqlite3_value_int64(v));
      return true;
    case SQLITE_FLOAT: {
      double d = sqlite3_value_double(v);
      if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<int64_t>(d)) == d) {
        AppendInteger(key, static_cast<int64_t>(d));
      } else {
        char bytes[sizeof d];
        std::memcpy(bytes, &d, sizeof d);
        key += 'r';
        key.append(bytes, sizeof bytes);
      }
      return true;
    }
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
      key += 't';
      key.append(text ? text : "", static_cast<size_t>(sqlite3_value_bytes(v)));
      return true;
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const char*>(sqlite3_value_blob(v));
      key += 'b';
      key.append(blob ? blob : "", static_cast<size_t>(sqlite3_value_bytes(v)));
      return true;
    }
    default:
      return false;
  }
}

void Step(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  Counter* counter = active_counter;
  if (!counter || counter->overflow || !GroupKey(argv[0], counter->key)) return;
  auto found = counter->index.find(std::string_view(counter->key));
  if (found != counter->index.end()) {
    ++counter->counts[found->second].count;
    return;
  }
  if (counter->counts.size() >= counter->max_groups) {
    counter->overflow = true;
    sqlite3_result_error(context, kTooMany, -1);  // stops the statement
    return;
  }
  counter->index.emplace(counter->key, counter->counts.size());
  counter->counts.push_back({ValueFromSqlite(argv[0]), 1});
}

void Final(sqlite3_context* context) { sqlite3_result_null(context); }

// Registers the aggregate on a connection that does not have it yet.
Status Register(Connection& conn) {
  int rc = sqlite3_create_function_v2(conn.handle(), kFunction, 1,
                                      SQLITE_UTF8 | SQLITE_DIRECTONLY | SQLITE_DETERMINISTIC,
                                      nullptr, nullptr, &Step, &Final, nullptr);
  return FromSqlite(rc, conn.handle());
}

// Clears the thread's active counter however the count ends.
class CounterScope {
 public:
  explicit CounterScope(Counter* counter) { active_counter = counter; }
  ~CounterScope() { active_counter = nullptr; }
  CounterScope(const CounterScope&) = delete;
  CounterScope& operator=(const CounterScope&) = delete;
};

}  // namespace

Result<std::vector<sql::FacetCount>> CountValues(Connection& conn, const sql::Query& query,
                                                 const Limits& limits, size_t max_groups) {
  sql::QueryBuilder b;
  b.Add("select almanac_count_values(value) from (").Append(query).Add(")");
  sql::Query counting = std::move(b).Build();
  DeadlineScope deadline(conn, limits.deadline);
  Result<Statement> prepared = PrepareQuery(conn, counting);
  if (!prepared.ok() && prepared.status().message().find(kFunction) != std::string::npos) {
    ALM_RETURN_IF_ERROR(Register(conn));
    prepared = PrepareQuery(conn, counting);
  }
  if (!prepared.ok()) return prepared.status();
  Statement stmt = std::move(prepared).value();
  Counter counter;
  counter.max_groups = max_groups;
  CounterScope scope(&counter);
  Result<bool> row = stmt.Step();
  if (counter.overflow) {
    return Status(ErrorCode::kUnavailable, "too many distinct values to count this way");
  }
  if (!row.ok()) return row.status();
  return std::move(counter.counts);
}

}  // namespace almanac::db
