// Altering a table (Datasette's TableAlterView): ADD COLUMN where SQLite can, and for everything
// else SQLite's table rebuild — create the new table, copy the rows, drop the old one, rename the
// new one into place, then restore its indexes and triggers — all inside the write's savepoint,
// so a failure leaves the table as it was. Parse, check, run, as every write.
#pragma once

#include <string>

#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "db/schema.h"
#include "db/write_queue.h"
#include "format/json_value.h"
#include "write/alter_ops.h"

namespace almanac::write {

struct AlterArgs {
  std::string table;
  AlterPlan plan;  // alter_ops.h: the operations folded into one plan
};

struct AlterResult {
  std::string table;   // the table's name afterwards (rename_table)
  std::string before;  // its CREATE statement before ...
  std::string after;   // ... and after; altered when they differ
};

// {"operations": [...]} with pydantic's messages; InvalidArgument "Cannot alter a view".
Result<AlterArgs> ParseAlter(const format::JsonValue& body, const db::TableInfo& table);

// alter-table.
Status CheckAlter(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                  const std::string& database, const AlterArgs& args);

Result<AlterResult> RunAlter(db::WriteContext& ctx, const AlterArgs& args);

}  // namespace almanac::write
