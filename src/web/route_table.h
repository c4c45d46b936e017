// The route table: every URL the app answers, one row each, in the order they are tried —
// Datasette 1.0a37's app.py _routes() is the model, and its order is kept. The first row whose
// pattern matches the path decides: its handler runs when the method is one the row takes,
// else the answer is 405. Adding an endpoint is one row in route_table.cc plus its handler.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "web/handlers.h"
#include "web/route_pattern.h"

namespace almanac::web {

// The methods a row takes; kGet includes HEAD. OPTIONS (a CORS preflight) is answered "ok"
// for every matched route.
enum Methods : unsigned { kGet = 1, kPost = 2, kGetPost = 3 };

struct RouteRow {
  RouteRow(unsigned methods_taken, std::string_view pattern_text, RouteHandler route_handler)
      : methods(methods_taken), pattern(pattern_text), handler(route_handler) {}
  // Builders for the rarer properties, so that each row of the table reads as one line.
  RouteRow&& Named(std::string_view page_name) && {
    name = page_name;
    return std::move(*this);
  }
  RouteRow&& HtmlOnly() && {
    json_twin = false;
    return std::move(*this);
  }
  RouteRow&& UnderStaticMount() && {
    static_mount = true;
    return std::move(*this);
  }

  unsigned methods;
  RoutePattern pattern;
  RouteHandler handler;
  std::string_view name;  // handed to the handler as Route::name
  // Its HTML pages have a JSON twin, announced in a Link header (Datasette's
  // has_json_alternate); false for sign-in, token, permission-debugging and form pages.
  bool json_twin = true;
  // Matches only paths under a --static mount (the pattern then matches any path).
  bool static_mount = false;
};

// The table, built once.
const std::vector<RouteRow>& RouteTable();

struct RouteMatch {
  const RouteRow* row = nullptr;
  Route route;
};

// The first row matching `path` (already stripped of base_url); `is_mounted` says whether a
// path lies under a --static mount. nullopt when no row matches.
template <typename IsMounted>
std::optional<RouteMatch> MatchRoute(std::string_view path, IsMounted is_mounted) {
  for (const RouteRow& row : RouteTable()) {
    if (row.static_mount && !is_mounted(path)) continue;
    RouteMatch match;
    if (!row.pattern.Match(path, match.route)) continue;
    match.row = &row;
    match.route.name = std::string(row.name);
    return match;
  }
  return std::nullopt;
}

// Whether `row` takes `method`.
bool RowTakes(const RouteRow& row, std::string_view method);

}  // namespace almanac::web
