// SQL for the write API: row inserts, upserts, updates and deletes by key, and the DDL of table
// creation and the table-rebuild dance (sqlite-utils' layout, so schemas read the same as
// Datasette's). Pure: text and bound parameters only; names are Identifiers.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/value.h"
#include "sql/query.h"

namespace almanac::sql {

enum class OnConflict { kAbort, kIgnore, kReplace };

// INSERT [OR IGNORE | OR REPLACE] INTO "t" ("a", "b") VALUES (?, ?), or DEFAULT VALUES.
Query InsertRow(const Identifier& table, const std::vector<Identifier>& columns,
                std::vector<Value> values, OnConflict on_conflict = OnConflict::kAbort);

// A row's address: its primary-key columns (or rowid) and their values.
struct RowKey {
  std::vector<Identifier> columns;
  std::vector<Value> values;
};

// UPDATE "t" SET "a" = ?, ... WHERE "k" = ? AND ...  (`columns` must not be empty)
Query UpdateRow(const Identifier& table, const std::vector<Identifier>& columns,
                std::vector<Value> values, const RowKey& key);
// DELETE FROM "t" WHERE "k" = ? AND ...
Query DeleteRow(const Identifier& table, const RowKey& key);
// SELECT [rowid, ]"c1", ... FROM "t" WHERE "k" = ? AND ...
Query SelectRow(const Identifier& table, const std::vector<Identifier>& columns, bool with_rowid,
                const RowKey& key);
// SELECT rowid FROM "t" WHERE "k" = ? AND ...
Query SelectRowid(const Identifier& table, const RowKey& key);

// One column of a CREATE TABLE.
struct ColumnDef {
  std::string name;
  std::string type;  // as written: TEXT, INTEGER, REAL, BLOB, ...
  bool not_null = false;
  std::optional<std::string> default_sql;  // SQL text after DEFAULT (a quoted literal or expr)
  std::optional<std::pair<std::string, std::string>> references;  // (table, column)
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::string> primary_keys;  // one: inline PRIMARY KEY; several: a table constraint
};

// sqlite-utils' layout:
//   CREATE TABLE "t" (
//      "id" INTEGER PRIMARY KEY,
//      "name" TEXT NOT NULL DEFAULT '',
//      "owner" INTEGER REFERENCES "owners"("id")
//   )
std::string CreateTableSql(const TableDef& table);
// ALTER TABLE "t" ADD COLUMN "c" TYPE [NOT NULL] [DEFAULT x]
std::string AddColumnSql(const std::string& table, const ColumnDef& column);
// The text after DEFAULT for `sql` — a literal already quoted by SQLite's quote(), an expression
// (CURRENT_TIMESTAMP, "(...)") or a dflt_value read back from PRAGMA table_info — by
// sqlite-utils' rule: quoted text and CURRENT_* stay as they are, an expression ending in ")"
// is wrapped in parentheses.
std::string DefaultSql(const std::string& sql);

// Copies rows from `from` into `to` after a rebuild:
// INSERT INTO "to" ([rowid, ]"n1", ...) SELECT [rowid, ]"o1", ... FROM "from"
std::string CopyRowsSql(const std::string& from, const std::string& to,
                        const std::vector<std::pair<std::string, std::string>>& old_to_new,
                        bool with_rowid);

}  // namespace almanac::sql
