// TableSelect: the SELECT behind a table page — columns, WHERE clauses (built elsewhere, e.g.
// by the filter parser), sort with primary-key tie-break, keyset (_next) or offset pagination,
// and a LIMIT one row past the page so the caller knows whether there is a next page.
#pragma once

#include <optional>
#include <vector>

#include "sql/query.h"

namespace almanac::sql {

struct TableSelect {
  Identifier table = Identifier::FromSchema("");
  std::vector<Identifier> columns;  // selected columns, in order (rowid is added by use_rowid)
  std::vector<Identifier> primary_keys;
  bool use_rowid = false;  // select and page by rowid
  bool is_view = false;    // views page by OFFSET and have no default order

  std::vector<Query> where;  // AND-ed together

  std::optional<Identifier> sort;  // ascending sort column (_sort)
  bool sort_descending = false;    // when true, `sort` is _sort_desc

  // Keyset pagination (_next on tables): rows after these primary-key values. When sorting,
  // `after_sort_value` is the sort column's value at the cursor (nullopt means NULL).
  std::optional<std::vector<Value>> after_keys;
  std::optional<Value> after_sort_value;
  bool after_sort_is_null = false;  // the _next token started with $null
  int64_t offset = 0;               // views: _next is an offset

  int64_t limit = 101;  // page size + 1
};

// "select <cols> from <table> where ... order by ... limit N [offset M]".
Query BuildSelect(const TableSelect& select);

// "select count(*) from <table> where ..." (filters only; ignores pagination).
Query BuildCount(const TableSelect& select);

// "(pk1 > ?) or (pk1 = ? and pk2 > ?) ..." with the values bound in order.
Query KeysAfter(const std::vector<Identifier>& pks, const std::vector<Value>& values);

}  // namespace almanac::sql
