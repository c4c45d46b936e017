// Dropping a table (Datasette's TableDropView): without {"confirm": true} the caller shows the
// row count and how to confirm (CountRows); with it, the table is dropped. Parse, check, run.
#pragma once

#include <cstdint>
#include <string>

#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "db/connection.h"
#include "db/schema.h"
#include "db/write_queue.h"
#include "format/json_value.h"

namespace almanac::write {

struct DropArgs {
  std::string table;
  bool confirm = false;  // RunDrop refuses to drop without it
};

struct DropResult {};

// {"confirm": true}; any other body (not an object, no "confirm") previews. NotFound "Table not
// found: t" for a view.
Result<DropArgs> ParseDrop(const format::JsonValue& body, const db::TableInfo& table);

// drop-table.
Status CheckDrop(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                 const std::string& database, const DropArgs& args);

// The number of rows the table holds (the preview), read on `conn`.
Result<int64_t> CountRows(db::Connection& conn, const std::string& table);

Result<DropResult> RunDrop(db::WriteContext& ctx, const DropArgs& args);

}  // namespace almanac::write
