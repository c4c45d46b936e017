// CountValues: how often each value occurs in the first column of a query's rows, counted in
// a hash table while the rows stream past. For a column with few distinct values this is
// several times cheaper than SQLite's sorting GROUP BY, and lets a facet be counted in chunks
// on several threads. Values group as GROUP BY groups them under the BINARY collation:
// integers and integral reals are one number, text and blobs compare by bytes; NULLs are
// skipped.
#pragma once

#include <cstddef>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "db/execute.h"
#include "sql/facet_sql.h"

namespace almanac::db {

// The values and their counts, in order of first appearance. Unavailable once more than
// `max_groups` distinct values have been seen (the caller should let SQLite group instead);
// DeadlineExceeded when `limits.deadline` passes.
Result<std::vector<sql::FacetCount>> CountValues(Connection& conn, const sql::Query& query,
                                                 const Limits& limits, size_t max_groups);

}  // namespace almanac::db
