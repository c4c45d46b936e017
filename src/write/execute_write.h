// One statement of write SQL (Datasette's ExecuteWriteView). On the writer connection the
// statement is prepared under an authorizer that records what it would do; every operation is
// mapped to the permissions it needs (or refused, like VACUUM and transaction control), checked
// for the actor, and only then is the same prepared statement run. RETURNING rows are capped at
// 10. Parse, check, run, as every write — the per-operation check happens inside the run.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "auth/action.h"
#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "core/value.h"
#include "db/rows.h"
#include "db/sql_analysis.h"
#include "db/write_queue.h"
#include "format/json_value.h"

namespace almanac::write {

struct ExecuteWriteArgs {
  std::string database;  // the database's name: operations on others are refused
  std::string sql;
  std::vector<std::pair<std::string, Value>> params;  // by name, without the colon
};

struct ExecuteWriteResult {
  std::vector<db::SqlOperation> operations;  // what the statement did, as analysed
  db::Rows rows;                             // RETURNING rows (at most 10)
  bool returns_rows = false;                 // the statement has result columns
  bool truncated = false;                    // more than 10 rows came back
  int64_t rowcount = -1;                     // rows changed, or -1 (CPython's rowcount)
};

// {"sql": "...", "params": {...}}: InvalidArgument for other keys, params that are no
// dictionary, then as ValidateExecuteWrite. Params go through CellValue; others become JSON text.
Result<ExecuteWriteArgs> ParseExecuteWrite(const format::JsonValue& body, std::string database);

// "SQL is required", "Magic parameters are not allowed", "Unknown parameters: a, b".
Status ValidateExecuteWrite(const ExecuteWriteArgs& args);

// execute-write-sql on the database (what can be checked before the statement is analysed).
Status CheckExecuteWrite(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                         const std::string& database, const ExecuteWriteArgs& args);

// The analysed operations against the actor's permissions (Datasette's
// decision_for_write_sql_operation): read-only SQL, VACUUM, writes to virtual or shadow tables,
// other databases and unsupported operations are refused.
Status CheckWriteOperations(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                            const std::string& database,
                            const std::vector<db::SqlOperation>& operations);

// The actions an operation needs ("required_permission" in the answer's analysis); empty for
// those that need none.
std::vector<auth::Action> RequiredActions(const db::SqlOperation& op);

// The longest one statement may run in RunExecuteWrite before it is stopped (a time-limit
// error; the write queue rolls it back). Zero, the default, is no limit, as in Datasette;
// hosting mode sets one (`serve --write-time-limit-ms`) so that a runaway statement cannot
// hold a space's writer, and a core, for ever. Process-wide: set once, before serving.
void SetExecuteWriteTimeLimit(std::chrono::milliseconds limit);

// Analyses the statement, checks its operations with CheckWriteOperations, binds the params
// (a parameter without a value is bound to "") and runs it, within the time limit above.
Result<ExecuteWriteResult> RunExecuteWrite(db::WriteContext& ctx, const ExecuteWriteArgs& args,
                                           const auth::PermissionEngine& engine,
                                           const auth::MaybeActor& actor);

}  // namespace almanac::write
