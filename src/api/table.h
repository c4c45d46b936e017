// The table (and view) page: /<db>/<table>(.json|.csv). Parses the query string, checks
// view-table, builds the SELECT (sort, keyset pagination), runs it and returns the model.
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"
#include "api/resolve.h"
#include "core/result.h"
#include "sql/table_select.h"

namespace almanac::api {

Result<TablePage> BuildTablePage(const Instance& instance, const Request& request,
                                 std::string_view database, std::string_view table);

// The SELECT behind a table page, planned from the request (permission, filters, sort, _size,
// _next) without running it. BuildTablePage runs it; CSV (and _stream=on) steps it itself.
struct TableQueryPlan {
  ResolvedTable resolved;
  sql::TableSelect select;  // its limit is page_size + 1
  int64_t page_size = 0;
  std::optional<std::string> sort_column;
  bool sort_descending = false;
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

}  // namespace almanac::api
