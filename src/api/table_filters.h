// The WHERE of a table page from its query string: column filters (col__op=value), full-text
// search (?_search=, ?_search_<col>=), ?_through= and ?_where= (execute-sql only), with
// Datasette's human description of them. Also the redirects Datasette answers for its filter
// form (?_filter_column=...) and its sort checkbox (?_sort_by_desc=).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/context.h"
#include "api/pages.h"
#include "api/resolve.h"
#include "config/config.h"
#include "sql/query.h"

namespace almanac::api {

struct TableFilters {
  std::vector<sql::Query> where;
  // Descriptions of the search and _through clauses; they come before the column filters.
  std::vector<std::string> human_extra;
  std::vector<AppliedFilter> applied;  // column filters with a known operator, in SQL order
  std::vector<std::pair<std::string, std::string>> extra_wheres;  // (_where text, remove URL)
  bool supports_search = false;
  std::optional<std::string> search;
};

Result<TableFilters> BuildTableFilters(const Instance& instance, const Request& request,
                                       const ResolvedTable& resolved,
                                       const config::TableOptions& options);

// "where a, b and c" (Datasette's Filters.human_description_en), "" without filters.
std::string HumanDescription(const TableFilters& filters);

// The path a filter-form or sort-checkbox request redirects to, or nullopt.
std::optional<std::string> FilterRedirect(const Request& request);

}  // namespace almanac::api
