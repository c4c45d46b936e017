// Table creation from imported data, in sqlite-utils' layout: the columns in the order the data
// names them, each with its type; a primary key the data lacks is added first as INTEGER;
// NOT NULL and DEFAULT where asked. Names given on the command line match columns ignoring
// ASCII case, as SQLite (and sqlite-utils' resolve_casing) do.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "ingest/types.h"
#include "sql/write_sql.h"

namespace almanac::ingest {

struct TableSpec {
  std::vector<std::string> pk;
  std::vector<std::string> not_null;
  std::vector<std::pair<std::string, std::string>> defaults;  // column, value as typed
};

// The column of `columns` that `name` names (ignoring ASCII case), or `name` itself.
std::string ResolveCasing(const std::string& name, const std::vector<std::string>& columns);
// The index of that column, or -1.
int FindColumn(const std::string& name, const std::vector<std::string>& columns);

// The definition of table `table` with `columns` of `types` (same length). InvalidArgument when
// a NOT NULL or DEFAULT column is not among the columns.
Result<sql::TableDef> PlanTable(const std::string& table, const std::vector<std::string>& columns,
                                const std::vector<ColumnType>& types, const TableSpec& spec);

}  // namespace almanac::ingest
