// Reading the change log back from the database: committed events after a cursor, in
// sequence order, optionally of one table. Works on any read connection (no ChangeLog needed),
// so pages are served from the SQL threads and survive restarts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "changes/change_event.h"
#include "core/result.h"
#include "db/connection.h"

namespace almanac::changes {

// The log: one row per write (change_codec.h).
inline constexpr const char* kChangesTable = "_almanac_change_batches";
// The first layout: one row per event, (seq, time_ms, table_name, op, pk, row, old) as JSON.
inline constexpr const char* kFirstLayoutTable = "_almanac_changes";

// The CREATE statements of the log (idempotent).
const char* ChangeLogSchemaSql();
// Moves the events of a first-layout log into batches (same seqs, same JSON) and drops it, in
// the caller's transaction. Returns the events moved (0 when there is no such log).
Result<int64_t> MigrateFirstLayout(db::Connection& conn);

// Up to `limit` events with seq > `after`, oldest first; only those of `table` when given.
// At most `max_writes` of the log's rows (one per write) are read, so that a rare table's
// events are not looked for through the whole log at once. `read_through`, when given, is set
// to the seq up to which the log was looked at: every event of `table` after `after` and up
// to it is in the result (when the result is short of `limit`, a next read goes on from there).
Result<std::vector<ChangeEvent>> ReadChanges(db::Connection& conn, int64_t after,
                                             const std::optional<std::string>& table, size_t limit,
                                             size_t max_writes = SIZE_MAX,
                                             int64_t* read_through = nullptr);
// The highest seq in the log (0 when empty or when the log table does not exist; a first-layout
// log not migrated yet counts too).
Result<int64_t> LastSeq(db::Connection& conn);

}  // namespace almanac::changes
