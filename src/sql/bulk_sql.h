// SQL for bulk loading and table maintenance from the command line (sqlite-utils' commands):
// statement templates prepared once and rebound for every row, upserts, and the DDL of the
// CLI's table commands. Pure: text and parameters only; names are Identifiers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/query.h"
#include "sql/write_sql.h"

namespace almanac::sql {

// INSERT [OR IGNORE|OR REPLACE] INTO "t" ("a", "b") VALUES (?, ?)[, (?, ?) ...] with `rows`
// rows of placeholders, bound to NULL until the caller rebinds them.
Query InsertTemplate(const Identifier& table, const std::vector<Identifier>& columns, size_t rows,
                     OnConflict on_conflict);

// INSERT INTO "t" ("id", "a") VALUES (?, ?) ON CONFLICT("id") DO UPDATE SET "a" = excluded."a"
// — only the columns given are written, so a record that omits a column leaves it alone.
// DO NOTHING when every column is part of the key. Placeholders bound to NULL.
Query UpsertTemplate(const Identifier& table, const std::vector<Identifier>& columns,
                     const std::vector<Identifier>& key);

// DELETE FROM "t"
Query DeleteAllRows(const Identifier& table);

// ANALYZE "t"
Query AnalyzeTable(const Identifier& table);

// `almanac rows`: select "c1", "c2" (or *) from "t" [where W] [order by O] [limit N] [offset M].
// `where` and `order` are SQL written by the command's user (who may run any SQL with
// `almanac query` already), placed as given.
std::string SelectRowsSql(const std::string& table, const std::vector<std::string>& columns,
                          const std::string& where, const std::string& order, int64_t limit,
                          int64_t offset);

// CREATE VIEW "name" AS <select>, the select written by the caller (sqlite-utils' create_view).
std::string CreateViewSql(const std::string& name, const std::string& select);

// CREATE TABLE in sqlite-utils' layout (CreateTableSql), with " STRICT" when asked.
std::string CreateTable(const TableDef& table, bool strict);

// ColumnDef::default_sql for a value typed on the command line, by sqlite-utils'
// quote_default_value: 'quoted' or "quoted" text, CURRENT_TIME/DATE/TIMESTAMP, TRUE, FALSE and
// NULL stay as they are, as does text ending in ")" (an expression, which CreateTableSql wraps
// in parentheses); anything else becomes a string literal ('5', 'it''s').
std::string DefaultForValue(std::string_view value);

// 'text' with ' doubled: what SQLite's quote() gives for text.
std::string QuoteLiteral(std::string_view text);

}  // namespace almanac::sql
