// Foreign-key labels for CSV's `_labels=on` and `_label=<col>` (Datasette's
// expand_foreign_keys and label_column_for_table): each expanded column is followed by a
// `<col>_label` column holding the referenced row's label. Kept to what CSV needs; the query
// engine's table page expands labels for JSON/HTML and the two are to share one lookup.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "db/connection.h"
#include "db/schema.h"
#include "sql/query.h"

namespace almanac::api {

struct LabelExpansion {
  size_t column_index = 0;  // position of the foreign-key column among the result columns
  std::string column;
  // "select <label> from <other> where <other_column> = ? limit 1"; the parameter is replaced
  // for each lookup. Unset when the other table has no label column: the label is the value.
  std::optional<sql::Query> lookup;
};

// The columns of `columns` (the result's names, in order) to expand for this request, in
// result order. Columns whose referenced table the actor may not view are not expanded.
Result<std::vector<LabelExpansion>> PlanLabelExpansions(
    const Instance& instance, const Request& request, db::Connection& conn,
    const db::Schema& schema, std::string_view database, const db::TableInfo& table,
    const std::vector<std::string>& columns);

// The label of `value` (not NULL): the referenced row's label column, std::nullopt when no row
// matches. Runs on `conn`, which may have another statement in progress.
Result<std::optional<Value>> LookupLabel(db::Connection& conn, LabelExpansion& expansion,
                                         Value value);

// Datasette's label column for a table: the configured `label_column`, else its only unique
// text column, else a "name" or "title" column, else the other column of an id/pk + 1 table.
Result<std::optional<std::string>> LabelColumnFor(const Instance& instance, db::Connection& conn,
                                                  std::string_view database,
                                                  const db::TableInfo& table);

}  // namespace almanac::api
