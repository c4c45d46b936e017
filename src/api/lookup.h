// The two lookups behind Datasette's search-as-you-type widgets, as JSON documents:
//   /-/jump.json?q=           databases, tables, views and canned queries the actor may see whose
//                             "<db> <name>" contains the words of q in order (JumpView)
//   /<db>/<table>/-/autocomplete?q=  up to 10 rows whose primary key or label column contains q
//                             (TableAutocompleteView), for foreign-key pickers
#pragma once

#include <string_view>

#include "api/context.h"
#include "core/result.h"
#include "format/json_value.h"

namespace almanac::api {

// {"ok": true, "matches": [{name, url, type, description}...], "truncated": bool}; at most 100
// matches, exact label first, then prefix matches, then databases before tables, views and
// queries, then shorter labels.
format::JsonValue JumpMatches(const Instance& instance, const Request& request);

// {"ok": true, "rows": [{"pks": {...}, "label": ...}...]}: with ?q= the rows whose primary key
// or label column contains q (an exact key first); with ?_initial=1 and no q, the last 10 rows.
// No q: no rows. InvalidArgument for a view; PermissionDenied without view-table.
Result<format::JsonValue> TableAutocomplete(const Instance& instance, const Request& request,
                                            std::string_view database, std::string_view table);

}  // namespace almanac::api
