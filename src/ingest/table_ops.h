// The table commands of the CLI, with sqlite-utils' rules and SQL text: create-table,
// create-index, enable-fts, populate-fts, add-column, add-foreign-key and extract. Each runs in
// one transaction and leaves nothing behind when it fails.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "ingest/table_plan.h"
#include "ingest/transform.h"
#include "sql/ddl_sql.h"

namespace almanac::ingest {

struct CreateTableSpec {
  std::string table;
  std::vector<std::pair<std::string, std::string>> columns;  // name, type (any case)
  TableSpec spec;                                            // pk, not null, defaults
  std::vector<ForeignKeyRef> foreign_keys;
  bool ignore = false, replace = false, strict = false;
};
Status CreateTable(db::Connection& conn, const CreateTableSpec& spec);

struct IndexSpec {
  std::string table;
  std::vector<sql::IndexColumn> columns;
  std::string name;  // "" = idx_<table>_<columns>
  bool unique = false, if_not_exists = false, analyze = false;
};
Status CreateIndex(db::Connection& conn, const IndexSpec& spec);

struct FtsSpec {
  std::string table;
  std::vector<std::string> columns;
  std::string module = "FTS5";  // or FTS4
  std::string tokenize;
  bool create_triggers = false, replace = false;
};
Status EnableFts(db::Connection& conn, const FtsSpec& spec);
Status PopulateFts(db::Connection& conn, const std::string& table,
                   const std::vector<std::string>& columns);

struct AddColumnSpec {
  std::string table, column;
  std::string type;  // sqlite-utils' names (integer, int, float, real, text, str, blob, bytes, any)
  std::string fk, fk_column;
  std::optional<std::string> not_null_default;
  bool ignore = false;  // the column exists already: do nothing
};
Status AddColumn(db::Connection& conn, const AddColumnSpec& spec);

// Guesses other_table from the column name (tag_id -> tag, tags) and other_column from its
// primary key, as sqlite-utils does, when they are empty.
Status AddForeignKey(db::Connection& conn, const std::string& table, ForeignKeyRef fk, bool ignore);

struct ExtractSpec {
  std::string table;
  std::vector<std::string> columns;
  std::string lookup_table;                                 // "" = the columns joined by _
  std::string fk_column;                                    // "" = <lookup_table>_id
  std::vector<std::pair<std::string, std::string>> rename;  // column -> name in the lookup
};
Status Extract(db::Connection& conn, const ExtractSpec& spec);

}  // namespace almanac::ingest
