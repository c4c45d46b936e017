// RowWriter: writes records into one table through prepared statements, one per shape (set of
// columns) met, rebinding cells without copies. Inserts (plain, OR IGNORE, OR REPLACE) or
// upserts that write only the columns a record has; counts rows inserted, updated, skipped.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "ingest/record_source.h"
#include "sql/write_sql.h"

namespace almanac::ingest {

struct WriteCounts {
  int64_t inserted = 0, updated = 0, skipped = 0;
};

class RowWriter {
 public:
  // `key` (upserts only): the columns an upsert matches rows on.
  RowWriter(db::Connection& conn, std::string table, bool upsert, sql::OnConflict on_conflict,
            std::vector<std::string> key);

  // Writes `cells` (one per entry of record.columns) into the columns `names[record.columns[i]]`.
  // Errors name the record's line.
  Status Write(const std::vector<std::string>& names, const Record& record,
               const std::vector<Cell>& cells);
  const WriteCounts& counts() const { return counts_; }
  // Drops the prepared statements (before the schema changes, e.g. ALTER TABLE).
  void Clear();

 private:
  struct Shape {
    db::Statement statement;
    std::vector<size_t> key_cells;  // upsert: where the key's values sit in the record
  };
  Result<Shape*> ShapeFor(const std::vector<std::string>& names, const Record& record);
  Status Fail(const Record& record, const Status& status) const;

  db::Connection& conn_;
  std::string table_;
  bool upsert_;
  sql::OnConflict on_conflict_;
  std::vector<std::string> key_;
  std::unordered_map<std::string, Shape> shapes_;  // key: the column indices' bytes
  std::string last_key_;
  Shape* last_ = nullptr;
  WriteCounts counts_;
};

}  // namespace almanac::ingest
