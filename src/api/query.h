// The SQL page: /<db>/-/query(.json)?sql=... and canned queries (/<db>/<query-name>).
// Arbitrary SQL needs execute-sql, runs read-only under the authorizer with a deadline
// and a row cap; `:named` parameters come from the query string (missing ones bind "").
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"
#include "format/json_value.h"

namespace almanac::api {

// Errors that Datasette reports inside the page (bad SQL) come back as a QueryPage whose
// `error` is set; request problems (no ?sql=, not a SELECT, time limit) are a Status.
// `direct_json`: the page is only rendered by QueryJson, so its rows are written straight from
// the statement into QueryPage::rows_json (no Value per cell) instead of into `rows`.
Result<QueryPage> BuildQueryPage(const Instance& instance, const Request& request,
                                 std::string_view database, bool direct_json = false);

// Fills the ?_extra= blocks of a SQL or canned-query page (InvalidArgument "Unknown _extra"
// for names the query page does not offer).
Status ResolveQueryExtras(const Instance& instance, const Request& request, QueryPage& page);

// A canned query from the config, run with its parameters from the query string.
Result<QueryPage> BuildCannedQueryPage(const Instance& instance, const Request& request,
                                       std::string_view database, std::string_view name,
                                       bool direct_json = false);

// /<db>/<query>/-/definition: {"ok", "unstable", "query": <stored-query object>}. NotFound
// "Query not found: <name>" and PermissionDenied "Permission denied" as Datasette words them.
Result<format::JsonValue> QueryDefinition(const Instance& instance, const Request& request,
                                          std::string_view database, std::string_view name);

}  // namespace almanac::api
