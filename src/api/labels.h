// Foreign-key labels: which column names a row of a table (Datasette's label_column_for_table)
// and the labels for the values of a foreign-key column (expand_foreign_keys), used by
// ?_labels=on, ?_label=, facets on foreign keys and the HTML pages.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "api/resolve.h"
#include "core/value.h"
#include "db/schema.h"
#include "sql/facet_sql.h"

namespace almanac::api {

struct ValueLess {
  bool operator()(const Value& a, const Value& b) const {
    if (a.is_null() || b.is_null()) return !a.is_null() < !b.is_null();
    return sql::CompareSqlValues(a, b) < 0;
  }
};
using LabelMap = std::map<Value, Value, ValueLess>;

// The configured label_column; else the only text column with a single-column unique index;
// else a column called name or title; else, for a two-column table with an id or pk column,
// the other column. nullopt when none applies.
Result<std::optional<std::string>> LabelColumnForTable(const Instance& instance,
                                                       const ResolvedDatabase& resolved,
                                                       const db::TableInfo& table);

// The foreign key of `table` on `column`, if it has one.
const db::ForeignKey* ForeignKeyFor(const db::TableInfo& table, std::string_view column);

// The foreign-key columns a request asks to expand: ?_label=col (repeatable), else every
// foreign key of `table` with ?_labels=on (on by default for HTML, `html`; ?_labels=off wins).
std::vector<std::string> ColumnsToExpand(const Request& request, const db::TableInfo& table,
                                         bool html);

// How to label the values of one foreign-key column: decided once (permission, label column),
// then used for any number of batches of values, on any connection to the database.
struct LabelPlan {
  std::string column;                       // the foreign-key column of the table
  std::string other_table;                  // the table it points to
  std::string other_column;                 // the column there it points to
  std::optional<std::string> label_column;  // unset: the label is the value itself, as text
};

// The plan for `column` of `table`; nullopt when the column is no foreign key, the table it
// points to is missing, or the actor may not view it.
Result<std::optional<LabelPlan>> PlanLabels(const Instance& instance, const Request& request,
                                            const ResolvedDatabase& resolved,
                                            const db::TableInfo& table, std::string_view column);

// Labels for `values` (one query for the batch). A lookup that runs past `deadline` gives no
// labels rather than an error.
Result<LabelMap> LookupLabels(db::Connection& conn, const LabelPlan& plan,
                              const std::vector<Value>& values, db::Clock::time_point deadline);

// Labels for `values` of the foreign-key column `column` of `table`: the referenced row's
// label column, or the value itself as text when that table has no label column. Empty when
// the column is no foreign key or the actor may not view the referenced table.
Result<LabelMap> ExpandForeignKeys(const Instance& instance, const Request& request,
                                   const ResolvedDatabase& resolved, const db::TableInfo& table,
                                   std::string_view column, const std::vector<Value>& values);

}  // namespace almanac::api
