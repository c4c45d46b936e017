// Insert and upsert (Datasette's TableInsertView / TableUpsertView), in three steps that need no
// HTTP: ParseInsert (the JSON body to typed arguments, with Datasette's messages), CheckInsert
// (the actor's permissions) and RunInsert (the write, on the writer connection inside the
// WriteQueue's savepoint). Callers that build InsertArgs themselves validate them with
// ValidateInsert.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "db/rows.h"
#include "db/schema.h"
#include "db/write_queue.h"
#include "format/json_value.h"
#include "sql/write_sql.h"
#include "write/cells.h"

namespace almanac::write {

struct InsertArgs {
  std::string table;
  std::vector<Row> rows;
  // kIgnore skips rows whose key exists, kReplace replaces them; an upsert takes neither.
  sql::OnConflict on_conflict = sql::OnConflict::kAbort;
  bool alter = false;        // first add the columns the rows have and the table lacks
  bool return_rows = false;  // read the written rows back into InsertResult::rows
  // Update the given columns of the row with the same key, or insert it when there is none.
  bool upsert = false;
};

struct InsertResult {
  db::Rows rows;  // the rows written (by rowid, or by key for upserts and WITHOUT ROWID tables)
};

// {"row": {...}} or {"rows": [...]} with "return", "ignore", "replace" and "alter", checked
// against `table` (Datasette's _validate_data; every bad row is reported). `upsert` chooses the
// upsert rules (rows must carry their keys; no ignore or replace).
Result<InsertArgs> ParseInsert(const format::JsonValue& body, const db::TableInfo& table,
                               bool upsert, int64_t max_rows);

// The checks of ParseInsert that apply to arguments built directly: a table, at most
// `max_rows` rows, known columns unless `alter`, keys present and not null for upserts.
Status ValidateInsert(const InsertArgs& args, const db::TableInfo& table, int64_t max_rows);

// insert-row (and update-row for upserts, or for kReplace; alter-table with alter). With only
// `table` and `upsert` set it checks what is needed before the body is read.
Status CheckInsert(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const InsertArgs& args);

// Writes the rows. NotFound when the table is gone by the time the write runs.
Result<InsertResult> RunInsert(db::WriteContext& ctx, const InsertArgs& args);

}  // namespace almanac::write
