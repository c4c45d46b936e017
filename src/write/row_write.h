// Updating and deleting one row named by its key (Datasette's RowUpdateView, RowDeleteView),
// in the same steps as every write: parse, check, run. The key is the row's primary-key values
// (or its rowid) as text, bound as text as Datasette binds them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "db/connection.h"
#include "db/rows.h"
#include "db/schema.h"
#include "db/write_queue.h"
#include "format/json_value.h"
#include "write/cells.h"

namespace almanac::write {

// NotFound "Record not found: ['1']" unless `table` is a table whose key has as many columns as
// `key` and a row with that key exists (read on `conn`). Datasette looks before it checks.
Status FindRow(db::Connection& conn, const db::TableInfo& table,
               const std::vector<std::string>& key);

struct UpdateArgs {
  std::string table;
  std::vector<std::string> key;
  Row update;               // the columns to set
  bool alter = false;       // first add the columns `update` has and the table lacks
  bool return_row = false;  // read the row back into UpdateResult::row
};

struct UpdateResult {
  db::Rows row;  // the row afterwards (empty when no row has the key)
};

// {"update": {...}, "return": bool, "alter": bool}. NotFound as FindRow for a view or a key of
// the wrong length.
Result<UpdateArgs> ParseUpdate(const format::JsonValue& body, const db::TableInfo& table,
                               std::vector<std::string> key);

// update-row (and alter-table with alter). With only `table` set it checks what is needed before
// the body is read.
Status CheckUpdate(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const UpdateArgs& args);

Result<UpdateResult> RunUpdate(db::WriteContext& ctx, const UpdateArgs& args);

struct DeleteArgs {
  std::string table;
  std::vector<std::string> key;
};

struct DeleteResult {
  int64_t deleted = 0;  // rows deleted: 0 or 1
};

// The delete takes no body: NotFound as FindRow for a view or a key of the wrong length.
Result<DeleteArgs> ParseDelete(const db::TableInfo& table, std::vector<std::string> key);

// delete-row.
Status CheckDelete(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const DeleteArgs& args);

Result<DeleteResult> RunDelete(db::WriteContext& ctx, const DeleteArgs& args);

}  // namespace almanac::write
