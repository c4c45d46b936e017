// Full-text search and many-to-many (?_through=) clauses for the table page, and Datasette's
// escaping of search terms. Names are schema Identifiers; the search text is bound.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sql/query.h"

namespace almanac::sql {

// Datasette's escape_fts: balances a trailing unmatched '"', then quotes every
// whitespace-separated term that is not already a "quoted phrase" ('te*' -> '"te*"'), so
// FTS operators in user input are searched for literally.
std::string EscapeFts(std::string_view query);

// "<pk> in (select rowid from <fts> where <fts or column> match ?)" with `match` bound.
// `column` limits the search to one column of the FTS table (?_search_<column>=).
Query SearchClause(const Identifier& pk, const Identifier& fts_table,
                   const std::optional<Identifier>& column, std::string match);

// ?_through={"table": T, "column": C, "value": V}: rows of this table that T links to with
// C = V. "<our_pk> in (select <our_column> from <T> where <C> = ?)".
Query ThroughClause(const Identifier& our_pk, const Identifier& our_column,
                    const Identifier& through_table, const Identifier& other_column, Value value);

}  // namespace almanac::sql
