// The SQLite authorizer that keeps arbitrary SQL read-only: reads, selects, recursive CTEs and
// functions are allowed; every write, schema change, ATTACH/DETACH, transaction control,
// load_extension() and any PRAGMA outside a read-only allowlist are denied. It backs up
// sqlite3_stmt_readonly() and read-only connections; it is not a regular expression.
#pragma once

#include <string_view>

struct sqlite3;

namespace almanac::db {

// Installs the read-only authorizer on `db`. Denials make prepare fail with SQLITE_AUTH.
void InstallReadOnlyAuthorizer(sqlite3* db);
void RemoveAuthorizer(sqlite3* db);

// The same authorizer switched on and off without expiring `db`'s prepared statements:
// sqlite3_set_authorizer expires every statement of the connection, so that each cached one
// was compiled again at its next step (~15% of a ?sql= page's CPU, its schema check and its
// query both). Installed once, as a gate that lets everything through while off. Call
// ForgetReadOnlyGate before closing `db`, and after replacing its authorizer by another.
void SetReadOnlyGate(sqlite3* db, bool on);
void ForgetReadOnlyGate(sqlite3* db);

// The decision for one authorizer callback (exposed for unit tests).
// Returns SQLITE_OK or SQLITE_DENY.
int ReadOnlyDecision(int action, const char* arg1, const char* arg2);

// True for pragmas that only read (table_info, index_list, foreign_key_list, ...).
bool IsReadOnlyPragma(std::string_view name);

}  // namespace almanac::db
