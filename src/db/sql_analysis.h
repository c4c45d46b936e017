// What one statement of user SQL would do, as SQLite's authorizer reports it while compiling the
// statement: the tables it reads and writes, the objects it creates, alters or drops, the
// transaction control, pragmas and functions it uses (Datasette's analyze_sql_tables). Used by
// execute-write to turn arbitrary SQL into per-table permission checks. The statement that was
// analysed is the one that runs, so nothing can change between the check and the write.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/connection.h"

namespace almanac::db {

struct SqlOperation {
  // read, insert, update, delete, select, function, create, alter, drop, begin, commit,
  // rollback, savepoint, attach, detach, pragma, analyze, reindex, vacuum, unknown
  std::string operation;
  // table, index, view, trigger, virtual-table, schema, statement, transaction, database,
  // pragma, function, unknown
  std::string target_type;
  std::optional<std::string> database;  // the URL name for "main"
  std::optional<std::string> table;     // the table concerned (for indexes/triggers: their table)
  std::optional<std::string> target;    // the object named by the callback
  std::optional<std::string> source;    // the trigger or view the callback came from
  std::string table_kind;  // for table reads/writes: table, view, virtual, shadow ("" unknown)
  bool internal = false;   // SQLite's own bookkeeping (sqlite_master writes during DDL, ...)

  bool operator==(const SqlOperation&) const = default;
};

// True for operations that change something (everything but read, select and function).
bool IsWriteOperation(const SqlOperation& op);

struct AnalyzedStatement {
  Statement statement;                   // prepared, parameters unbound
  std::vector<SqlOperation> operations;  // in the order SQLite first reported them
};

// Prepares the one statement in `sql` on `conn`, recording the authorizer's callbacks.
// `database_name` names schema "main" in the operations. Errors are SQLite's messages.
Result<AnalyzedStatement> AnalyzeStatement(Connection& conn, std::string_view sql,
                                           std::string_view database_name);

}  // namespace almanac::db
