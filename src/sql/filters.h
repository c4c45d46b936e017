// Column filters: the 22 operators of Datasette's `?column__op=value` arguments, each turned
// into one WHERE clause. Names come only from the schema (through a ColumnLookup); every
// value is a bound parameter. A name the table does not have is bound as a text value, which
// is what SQLite makes of Datasette's "unknown" (a double-quoted string): `nope__exact=1`
// compares 'nope' with '1' and matches no row.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sql/query.h"

namespace almanac::sql {

enum class FilterOp {
  kExact,
  kNot,
  kContains,
  kNotContains,
  kEndsWith,
  kStartsWith,
  kGt,
  kGte,
  kLt,
  kLte,
  kLike,
  kNotLike,
  kGlob,
  kIn,
  kNotIn,
  kArrayContains,
  kArrayNotContains,
  kDate,
  kIsNull,
  kNotNull,
  kIsBlank,
  kNotBlank,
};

struct FilterOperator {
  FilterOp op;
  std::string_view key;      // "exact", "notcontains", ...
  std::string_view display;  // "=", "does not contain", ... (for the filter form)
  bool no_argument;          // isnull, notnull, isblank, notblank ignore their value
};

// Every operator, in Datasette's order (the order of its filter form).
std::span<const FilterOperator> FilterOperators();
// By key ("gt"); nullopt for an unknown operator (Datasette ignores those).
std::optional<FilterOp> FilterOpByKey(std::string_view key);
const FilterOperator& OperatorInfo(FilterOp op);

struct FilterSpec {
  std::string column;  // as written in the query string
  FilterOp op = FilterOp::kExact;
  std::string value;        // the raw value (unused by no-argument operators)
  std::vector<Value> list;  // kIn / kNotIn: the values, already split or parsed
};

// Resolves a column name to its schema Identifier, or nullopt when the table has no such
// column.
using ColumnLookup = std::function<std::optional<Identifier>(std::string_view name)>;

// One WHERE clause for `spec` on `table`. InvalidArgument for array operators on a column
// the table does not have (json_each needs a real column).
Result<Query> BuildFilterClause(const FilterSpec& spec, const Identifier& table,
                                const ColumnLookup& lookup);

// "where <clauses joined by and>" pieces are AND-ed by the caller; this joins a list of
// clauses into one Query: "c1 and c2 ..." (empty text for none).
Query JoinAnd(const std::vector<Query>& clauses);

}  // namespace almanac::sql
