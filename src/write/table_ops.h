// SQL helpers the write operations share: a table's key columns and a row's key, adding the
// columns new rows need, reading rows back, a table's CREATE statement, SQL literals.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "db/rows.h"
#include "db/schema.h"
#include "sql/query.h"
#include "sql/write_sql.h"
#include "write/cells.h"

namespace almanac::write {

// The table's primary keys, or {"rowid"} for rowid tables.
std::vector<std::string> KeyColumns(const db::TableInfo& table);

// The key of a row for SQL: its key columns and `values` (bound as text, as Datasette does).
sql::RowKey KeyFor(const db::TableInfo& table, const std::vector<std::string>& values);

// Adds the columns `rows` use that `table` lacks (sqlite-utils' add_missing_columns), with the
// inferred type. Names are compared case-insensitively, as SQLite does.
Status AddMissingColumns(db::Connection& conn, const db::TableInfo& table,
                         const std::vector<Row>& rows);

// Runs a builder query to completion and returns its rows.
Result<db::Rows> FetchRows(db::Connection& conn, const sql::Query& query);

// The CREATE statement of `table` as sqlite_master holds it, or "" when missing.
Result<std::string> TableSchemaSql(db::Connection& conn, const std::string& table);

// SQLite's quote() of a value: the SQL literal for a DEFAULT.
Result<std::string> QuoteLiteral(db::Connection& conn, const Value& value);

// Python's repr() of a list of strings: ['a', 'b'].
std::string PythonListRepr(const std::vector<std::string>& values);

// Whether `sql` starts (after spaces and comments) with INSERT, UPDATE, DELETE or REPLACE:
// the statements CPython's sqlite3 reports a rowcount for (cursor.rowcount, else -1).
bool IsDml(std::string_view sql);

}  // namespace almanac::write
