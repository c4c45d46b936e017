// The table (and view) page: /<db>/<table>(.json|.csv). Parses the query string, checks
// view-table, builds the SELECT (sort, keyset pagination), runs it and returns the model.
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"
#include "core/result.h"

namespace almanac::api {

Result<TablePage> BuildTablePage(const Instance& instance, const Request& request,
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
