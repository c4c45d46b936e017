// The change log's storage format: the events of one write (a job) are one row of
// `_almanac_change_batches` — (seq = the first event's seq, n = the number of events, time_ms,
// events BLOB) — so a write of 100 rows is one insert, not 100. The blob is
//   version (1 byte, 1)
//   tables: varint count, then per table: name, varint column count, column names
//   events: per event a flags byte (op in bits 0-2: insert, update, delete, resync; 0x08 the
//     event is stored as JSON text; 0x10 it has a row; 0x20 it has old values), the table's
//     index + 1 (0: no table), the signed offset of its time from the row's time_ms, then
//       as values: the key (varint n and n values, or 0 and the signed rowid), the row and the
//         old values (varint n and n values, each when flagged)
//       as JSON (events moved from the first layout): pk, row and old as text, op as text
// Strings are varint-length-prefixed bytes; values are a tag byte (bytes.h) and their payload.
// Events are rendered as JSON when read (DecodeBatch), byte for byte as they were when the log
// stored JSON: the column names are those of the table when the write was made.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "changes/change_event.h"
#include "core/result.h"
#include "core/value.h"
#include "db/schema.h"

namespace almanac::changes {

enum class EventOp : uint8_t { kInsert = 0, kUpdate = 1, kDelete = 2, kResync = 3 };

class BatchEncoder {
 public:
  explicit BatchEncoder(int64_t time_ms) : time_ms_(time_ms) {}
  int64_t time_ms() const { return time_ms_; }
  int64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // A row event of `table` (`info` as the schema is at the end of the write; nullptr when the
  // table is gone). Its key is taken from `key_values` (the row's values in column order) as
  // KeyJson does, or is `rowid` for a table without a declared key. `row` and `old` may be null.
  void AddRow(EventOp op, const std::string& table, const db::TableInfo* info,
              const std::vector<Value>& key_values, int64_t rowid, const std::vector<Value>* row,
              const std::vector<Value>* old);
  // A resync event (no table).
  void AddResync();
  // An event kept as JSON text (the first layout's rows); "" for a missing table, pk, row, old.
  void AddJson(int64_t time_ms, std::string_view table, std::string_view op, std::string_view pk,
               std::string_view row, std::string_view old);

  // The blob; the encoder is empty afterwards (same time_ms).
  std::string Finish();

 private:
  size_t TableIndex(const std::string& table, const db::TableInfo* info);

  int64_t time_ms_;
  int64_t count_ = 0;
  std::string tables_;
  std::vector<std::string> table_names_;
  std::vector<std::vector<bool>> table_reals_;  // per table: its columns of REAL affinity
  size_t last_table_ = 0;  // index + 1 of the table of the previous event (0: none)
  std::string events_;
};

// Appends the events of one stored batch (its row: first seq, time_ms, blob) with seq > `after`,
// only those of `table` when given, until `out` holds `limit`. Internal error for a blob this
// code cannot read.
Status DecodeBatch(int64_t first_seq, int64_t time_ms, std::string_view blob, int64_t after,
                   const std::optional<std::string>& table, size_t limit,
                   std::vector<ChangeEvent>& out);

}  // namespace almanac::changes
