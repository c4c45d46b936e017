// Schema: a snapshot of one database's tables, views, columns, keys, foreign keys and FTS
// tables, read from sqlite_master and the table pragmas. Immutable once built; rebuilt when
// PRAGMA schema_version changes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace almanac::db {

class Connection;

struct ColumnInfo {
  int cid = 0;
  std::string name;
  std::string type;  // declared type, as written
  bool notnull = false;
  std::optional<std::string> default_value;  // SQL text of the default
  int pk = 0;      // 1-based position in the primary key, 0 when not part of it
  int hidden = 0;  // table_xinfo: 1 hidden (virtual tables), 2/3 generated
};

struct ForeignKey {
  std::string other_table;
  std::string column;        // outgoing: ours; incoming: the other table's referenced column
  std::string other_column;  // outgoing: theirs; incoming: the column in the other table
};

enum class TableKind { kTable, kView, kVirtual, kShadow };

struct TableInfo {
  std::string name;
  TableKind kind = TableKind::kTable;
  std::string sql;                        // CREATE statement
  std::vector<ColumnInfo> columns;        // visible columns (hidden xinfo columns excluded)
  std::vector<std::string> primary_keys;  // in key order; empty for rowid tables and views
  bool without_rowid = false;
  std::vector<ForeignKey> outgoing;  // single-column foreign keys, sorted
  std::vector<ForeignKey> incoming;
  std::optional<std::string> fts_table;  // FTS virtual table indexing this table
  std::string fts_module;                // "fts3", "fts4", "fts5" when this is an FTS table
  bool hidden = false;                   // shadow/FTS/underscore tables (config may add more)

  bool is_view() const { return kind == TableKind::kView; }
  // Rows are addressed by rowid: a table with no declared primary key.
  bool uses_rowid() const { return !is_view() && primary_keys.empty(); }
  const ColumnInfo* FindColumn(std::string_view column) const;
  std::vector<std::string> ColumnNames() const;
};

class Schema {
 public:
  // Reads the schema through `conn` (must be on the database's connection).
  static Result<std::shared_ptr<const Schema>> Load(Connection& conn, int64_t version);

  int64_t version() const { return version_; }
  // Tables and views, sorted by name (Datasette's order).
  const std::vector<TableInfo>& tables() const { return tables_; }
  const TableInfo* Find(std::string_view name) const;
  // Names of the indexes on `table` in sqlite_master, with their SQL.
  const std::vector<std::pair<std::string, std::string>>& index_sql() const { return index_sql_; }
  // Names of columns that have an index whose first column is that column, per table.
  bool HasIndexOn(std::string_view table, std::string_view column) const;

 private:
  int64_t version_ = 0;
  std::vector<TableInfo> tables_;
  std::unordered_map<std::string, size_t> by_name_;
  std::vector<std::pair<std::string, std::string>> index_sql_;  // (table, CREATE INDEX ...)
  std::vector<std::pair<std::string, std::string>> indexed_first_columns_;  // (table, column)
};

// SQLite's affinity of a declared column type, by its rules (INT, then CHAR/CLOB/TEXT, then
// BLOB or no type, then REAL/FLOA/DOUB, else NUMERIC): "INTEGER", "TEXT", "BLOB", "REAL" or
// "NUMERIC".
std::string_view AffinityOf(std::string_view declared);

}  // namespace almanac::db
