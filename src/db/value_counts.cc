#include "db/value_counts.h"

#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

namespace almanac::db {
namespace {

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// Clears the deadline when the count is done, however it ends.
class DeadlineScope {
 public:
  DeadlineScope(Connection& conn, Clock::time_point deadline) : conn_(conn) {
    conn_.SetDeadline(deadline);
  }
  ~DeadlineScope() { conn_.ClearDeadline(); }
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  Connection& conn_;
};

void AppendInteger(std::string& key, int64_t i) {
  char bytes[sizeof i];
  std::memcpy(bytes, &i, sizeof i);
  key += 'i';
  key.append(bytes, sizeof bytes);
}

// The grouping key of column 0 of the current row; false for NULL.
bool RowKey(sqlite3_stmt* stmt, std::string& key) {
  key.clear();
  switch (sqlite3_column_type(stmt, 0)) {
    case SQLITE_INTEGER:
      AppendInteger(key, sqlite3_column_int64(stmt, 0));
      return true;
    case SQLITE_FLOAT: {
      double d = sqlite3_column_double(stmt, 0);
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
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      key += 't';
      key.append(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
      return true;
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
      key += 'b';
      key.append(blob ? blob : "", static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Result<std::vector<sql::FacetCount>> CountValues(Connection& conn, const sql::Query& query,
                                                 const Limits& limits, size_t max_groups) {
  DeadlineScope deadline(conn, limits.deadline);
  ALM_ASSIGN_OR_RETURN(Statement stmt, PrepareQuery(conn, query));
  std::unordered_map<std::string, size_t, KeyHash, std::equal_to<>> index;
  std::vector<sql::FacetCount> counts;
  std::string key;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (!RowKey(stmt.handle(), key)) continue;
    auto found = index.find(std::string_view(key));
    if (found != index.end()) {
      ++counts[found->second].count;
      continue;
    }
    if (counts.size() >= max_groups) {
      return Status(ErrorCode::kUnavailable, "too many distinct values to count this way");
    }
    index.emplace(key, counts.size());
    counts.push_back({stmt.Column(0), 1});
  }
  return counts;
}

}  // namespace almanac::db
