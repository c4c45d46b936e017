// TableSelect: the SELECT behind a table page — columns, WHERE clauses (filters, search,
// _where, built elsewhere), sort with primary-key tie-break, keyset (_next) or offset
// pagination, and a LIMIT one row past the page so the caller knows whether there is a next
// page. Also the queries that share its WHERE: the count and the facets' inner SELECT.
// The text follows Datasette's spelling (bare names where unambiguous) so ?_extra=query shows
// what Datasette shows.
#pragma once

#include <optional>
#include <vector>

#include "sql/query.h"

namespace almanac::sql {

struct TableSelect {
  Identifier table = Identifier::FromSchema("");
  std::vector<Identifier> columns;      // selected columns, in order (rowid added by use_rowid)
  std::vector<Identifier> all_columns;  // every column of the table (the facets' inner SELECT)
  std::vector<Identifier> primary_keys;
  bool use_rowid = false;  // select and page by rowid
  bool is_view = false;    // views page by OFFSET and have no default order

  std::vector<Query> where;  // AND-ed together: filters, search, _through, _where

  std::optional<Identifier> sort;  // sort column (_sort / _sort_desc)
  bool sort_descending = false;    // when true, `sort` is _sort_desc

  // Keyset pagination (_next on tables): rows after these primary-key values. When sorting,
  // `after_sort_value` is the sort column's value at the cursor (nullopt means NULL).
  std::optional<std::vector<Value>> after_keys;
  std::optional<Value> after_sort_value;
  int64_t offset = 0;  // views: _next is an offset

  int64_t limit = 101;  // page size + 1
};

// "select <cols> from <table> where ... order by ... limit N [offset M]".
Query BuildSelect(const TableSelect& select);

// "select count(*) from <table> where ... " (filters only, no pagination): the count_sql that
// Datasette shows.
Query BuildCountDisplay(const TableSelect& select);

// The count that runs: at most `cap` rows are counted, so a huge table costs little.
// "select count(*) from (select * from <table> where ... limit <cap>)".
Query BuildCappedCount(const TableSelect& select, int64_t cap);

// "select <all columns> from <table> where ... " (rowid first for rowid tables): what facets
// and suggestions aggregate over (Datasette's sql_no_order_no_limit).
Query BuildInnerSelect(const TableSelect& select);

// The filters alone, AND-ed ("" when there are none).
Query WhereOnly(const TableSelect& select);

// "(pk1 > ?) or (pk1 = ? and pk2 > ?) ..." with the values bound in order.
Query KeysAfter(const std::vector<Identifier>& pks, const std::vector<Value>& values);

}  // namespace almanac::sql
