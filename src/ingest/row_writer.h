// RowWriter: writes records into one table through prepared statements, one per shape (set of
// columns) met, rebinding cells. Inserts (plain, OR IGNORE, OR REPLACE) go in multi-row INSERTs
// of up to kBatchRows records of one shape (cells copied into an arena until then); a failing
// batch is replayed row by row to name the record's line. Upserts write one record at a time,
// only the columns it has. Counts rows inserted, updated, skipped.
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

  static constexpr size_t kBatchRows = 64;

  // Writes record.cells[i] into the column names[record.columns[i]].
  // Errors name the record's line. Inserts may wait in the batch until Flush.
  Status Write(const std::vector<std::string>& names, const RecordView& record);
  // Writes the batched records (before a commit, an ALTER TABLE or the end).
  Status Flush();
  const WriteCounts& counts() const { return counts_; }

 private:
  struct Shape {
    std::vector<sql::Identifier> columns;
    db::Statement single;  // one row
    db::Statement batch;   // batch_rows rows, prepared when first needed
    size_t batch_rows = 1;
    std::vector<size_t> key_cells;  // upsert: where the key's values sit in the record
  };
  Result<Shape*> ShapeFor(const std::vector<std::string>& names, const RecordView& record);
  Status Fail(uint64_t line, const Status& status) const;
  Status WriteOne(Shape& shape, const Cell* cells, uint64_t line);
  Status WriteBatch(Shape& shape, size_t rows);

  db::Connection& conn_;
  std::string table_;
  bool upsert_;
  sql::OnConflict on_conflict_;
  std::vector<std::string> key_;
  std::unordered_map<std::string, Shape> shapes_;  // key: the column indices' bytes
  std::vector<uint32_t> last_columns_;
  Shape* last_ = nullptr;
  // The batch: records of pending_shape_, their cells row-major (text in arena_) and lines.
  Shape* pending_shape_ = nullptr;
  std::vector<Cell> pending_cells_;
  std::vector<size_t> pending_offsets_;  // per cell: where its bytes start in arena_
  std::vector<uint64_t> pending_lines_;
  std::string arena_;
  WriteCounts counts_;
};

}  // namespace almanac::ingest
