// control.db's schema: an ordered list of migrations, applied in order from the database's
// schema version (SQLite's `PRAGMA user_version`: 0 for a new file) to the newest, each in its
// own transaction together with the version bump, so a crash leaves the file at one version or
// the next, never between. Released migrations are never edited: a change is a new entry.
#pragma once

#include <span>
#include <string_view>

#include "control/sqlite.h"
#include "core/result.h"

namespace almanac::control {

struct Migration {
  int version;           // the schema version after this migration (1, 2, ...)
  std::string_view sql;  // statements run in one transaction
};

// Every migration, oldest first.
std::span<const Migration> Migrations();
// The newest schema version.
int LatestSchemaVersion();

Result<int> SchemaVersion(Db& db);
// Applies the migrations after the database's version, up to `target` (default: the newest).
// A database newer than this binary knows is refused (FailedPrecondition-like kConflict).
Status Migrate(Db& db, int target = 0);

}  // namespace almanac::control
