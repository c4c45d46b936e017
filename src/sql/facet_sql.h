// The SQL of facets and facet suggestions (Datasette's ColumnFacet, DateFacet, ArrayFacet),
// and the merge of per-chunk counts when a column facet is counted in parallel over rowid
// ranges. Pure: text, parameters and values only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sql/query.h"

namespace almanac::sql {

enum class FacetKind { kColumn, kDate, kArray };

// What a facet counts over: a table or view, with the page's filters.
struct FacetSource {
  Identifier table = Identifier::FromSchema("");
  Query where;  // the page's filters AND-ed ("" when none)
  Query inner;  // "select <all columns> from <table> where ..." (the page without paging)
};

// "select <col> as value, count(*) as count from <table> where <filters and> <col> is not null
// group by <col> order by count desc, value limit <limit>" (date facets group by date(<col>);
// array facets count distinct JSON array items per row, as Datasette does).
Query BuildFacetQuery(FacetKind kind, const FacetSource& source, const Identifier& column,
                      int64_t limit);

// One chunk of a parallel column or date facet: the non-null values (<col> or date(<col>), as
// "value") of
// the rows with first_rowid <= rowid <= last_rowid that pass the filters, one per row; the
// caller counts them.
Query BuildFacetChunkQuery(FacetKind kind, const FacetSource& source, const Identifier& column,
                           int64_t first_rowid, int64_t last_rowid);

// The table's lowest and highest rowid, each read from one end of the b-tree.
Query BuildRowidRange(const Identifier& table);

// Facet suggestion probes (run with facet_suggest_time_limit_ms), over the first rows of the
// inner SELECT:
//  - column: distinct non-null values among the first 1000 rows, "value, n", up to `limit`;
//  - date: date(<col>) of the first 100 rows whose value looks like "????-??-*";
//  - array: the distinct json_type(<col>) of the first 1000 non-empty values, then
//    (BuildArraySampleQuery) up to 100 non-empty arrays to check they hold only strings.
Query BuildSuggestQuery(FacetKind kind, const FacetSource& source, const Identifier& column,
                        int64_t limit);
Query BuildArraySampleQuery(const FacetSource& source, const Identifier& column);
// "select count(*) from (select * from (<inner>) limit 1000)": the row count suggestions use
// when the page has no count.
Query BuildSuggestRowCount(const FacetSource& source);

// A facet value and how many rows have it.
struct FacetCount {
  Value value;
  int64_t count = 0;
};

// SQLite's ORDER BY order for non-NULL values under the BINARY collation: numbers (integer and
// real compared by value) < text (bytes) < blob (bytes). Returns <0, 0, >0.
int CompareSqlValues(const Value& a, const Value& b);

// Merges per-chunk groups (each chunk's values distinct) into totals per value (values that
// compare equal are one group, the first one seen names it), ordered as the facet query
// orders them: count descending, then value. Keeps at most `limit` results (0 = all).
std::vector<FacetCount> MergeFacetCounts(const std::vector<std::vector<FacetCount>>& chunks,
                                         size_t limit);

}  // namespace almanac::sql
