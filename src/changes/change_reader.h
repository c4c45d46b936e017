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

inline constexpr const char* kChangesTable = "_almanac_changes";

// The CREATE statements of the log (idempotent).
const char* ChangeLogSchemaSql();

// Up to `limit` events with seq > `after`, oldest first; only those of `table` when given.
Result<std::vector<ChangeEvent>> ReadChanges(db::Connection& conn, int64_t after,
                                             const std::optional<std::string>& table, size_t limit);
// The highest seq in the log (0 when empty or when the log table does not exist).
Result<int64_t> LastSeq(db::Connection& conn);

}  // namespace almanac::changes
