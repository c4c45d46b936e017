// One event of a database's change feed: a row inserted, updated or deleted by a committed
// transaction, or a `resync` (the file was written by another process: its changes were not
// captured, and a consumer should reread what it keeps). `json` is the event as the feed shows
// it: {"seq", "time_ms", "table", "op", "pk", "row", "old"?}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/value.h"
#include "db/schema.h"

namespace almanac::changes {

struct ChangeEvent {
  int64_t seq = 0;
  int64_t time_ms = 0;  // Unix time of the commit's flush, in milliseconds
  std::string table;    // empty for a resync whose table is not known
  std::string op;       // "insert", "update", "delete" or "resync"
  std::string pk;       // JSON array of the primary key values (rowid tables: [rowid])
  std::string row;      // JSON object of the new values; "" after a delete
  std::string old;      // JSON object of the old values, when the log records them; else ""
  std::string json;     // the whole event as JSON (made by RenderJson)
};

// Fills event.json from the other fields.
void RenderJson(ChangeEvent& event);

// A row's primary key as the feed writes it: a JSON array of the declared key columns' values
// (`values` in column order), or [rowid] for a table without one (or a table now gone).
std::string KeyJson(const db::TableInfo* info, const std::vector<Value>& values, int64_t rowid);
// Whether two versions of a row have the same key, as KeyJson writes it (without writing it).
bool SameKey(const db::TableInfo* info, const std::vector<Value>& a, int64_t a_rowid,
             const std::vector<Value>& b, int64_t b_rowid);

}  // namespace almanac::changes
