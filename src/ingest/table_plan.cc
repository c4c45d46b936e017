#include "ingest/table_plan.h"

#include "core/text.h"
#include "sql/bulk_sql.h"

namespace almanac::ingest {

int FindColumn(const std::string& name, const std::vector<std::string>& columns) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  std::string lower = AsciiLower(name);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (AsciiLower(columns[i]) == lower) return static_cast<int>(i);
  }
  return -1;
}

std::string ResolveCasing(const std::string& name, const std::vector<std::string>& columns) {
  int i = FindColumn(name, columns);
  return i < 0 ? name : columns[static_cast<size_t>(i)];
}

Result<sql::TableDef> PlanTable(const std::string& table, const std::vector<std::string>& columns,
                                const std::vector<ColumnType>& types, const TableSpec& spec) {
  sql::TableDef def;
  def.name = table;
  for (size_t i = 0; i < columns.size(); ++i) {
    def.columns.push_back({columns[i], std::string(SqlTypeName(types[i])), false, {}, {}});
  }
  for (const std::string& pk : spec.pk) def.primary_keys.push_back(ResolveCasing(pk, columns));
  // A single primary key the data does not have comes first, as an INTEGER.
  if (def.primary_keys.size() == 1 && FindColumn(def.primary_keys[0], columns) < 0) {
    def.columns.insert(def.columns.begin(), {def.primary_keys[0], "INTEGER", false, {}, {}});
  }
  std::vector<std::string> names;
  for (const auto& c : def.columns) names.push_back(c.name);
  for (const std::string& pk : def.primary_keys) {
    if (FindColumn(pk, names) < 0) {
      return InvalidArgument("Primary key column " + pk + " is not in the data");
    }
  }
  for (const std::string& column : spec.not_null) {
    int i = FindColumn(column, names);
    if (i < 0) return InvalidArgument("--not-null column " + column + " is not in the data");
    def.columns[static_cast<size_t>(i)].not_null = true;
  }
  for (const auto& [column, value] : spec.defaults) {
    int i = FindColumn(column, names);
    if (i < 0) return InvalidArgument("--default column " + column + " is not in the data");
    def.columns[static_cast<size_t>(i)].default_sql = sql::DefaultForValue(value);
  }
  return def;
}

}  // namespace almanac::ingest
