// The table (and view) page: /<db>/<table>(.json|.csv). Parses the query string, checks
// view-table, builds the SELECT (filters, search, sort, keyset pagination), runs it and
// returns the model with the extras that were asked for.
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"
#include "api/resolve.h"
#include "api/table_filters.h"
#include "core/result.h"
#include "sql/table_select.h"

namespace almanac::api {

// What the page is rendered as. HTML resolves Datasette's HTML bundle of extras, expands
// foreign-key labels by default and ignores unknown ?_extra= names; data formats reject them.
// kJsonDirect is JSON whose rows are written straight from the statement into
// TablePage::rows_json (no Value per cell), unless labels or ?_json= need the model's rows:
// only for TableJson.
enum class TableFormat { kJson, kJsonDirect, kHtml, kCsv };

// The table page: filters, search, sort, pagination, labels, facets and the requested extras.
// A request that Datasette redirects (?_filter_column=, ?_sort_by_desc=) comes back with
// `redirect` set and nothing else.
Result<TablePage> BuildTablePage(const Instance& instance, const Request& request,
                                 std::string_view database, std::string_view table,
                                 TableFormat format = TableFormat::kJson);

// The SELECT behind a table page, planned from the request (permission, _col/_nocol, filters,
// search, _where, sort, _size, _next) without running it. BuildTablePage runs it; CSV (and
// _stream=on) steps it itself.
struct TableQueryPlan {
  ResolvedTable resolved;
  config::TableOptions options;
  sql::TableSelect select;  // its limit is page_size + 1
  int64_t page_size = 0;
  std::optional<std::string> sort_column;
  bool sort_descending = false;
  std::vector<std::string> columns;  // the selected columns (after _col / _nocol)
  std::vector<std::string> sortable_columns;
  TableFilters filters;
};

Result<TableQueryPlan> PlanTableQuery(const Instance& instance, const Request& request,
                                      std::string_view database, std::string_view table);

// _size: the configured or default page size, "max", or a positive integer up to
// max_returned_rows. Errors are InvalidArgument with Datasette's wording.
Result<int64_t> ParsePageSize(const std::string* size_arg, std::optional<int64_t> configured,
                              int64_t default_size, int64_t max_returned_rows);

// _shape, _nl, _json_infinity and _json into OutputOptions.
Result<OutputOptions> ParseOutputOptions(const Request& request);

// Cache-Control max-age from ?_ttl= (digits only) or default_cache_ttl.
int64_t CacheTtl(const Instance& instance, const Request& request);

// Row `row` of the page's URL segment (EncodeRowPath of its primary key, or rowid), also the
// keyset token of `_next`; "" when the rows lack a key column.
std::string RowPath(const TablePage& page, size_t row);

}  // namespace almanac::api
