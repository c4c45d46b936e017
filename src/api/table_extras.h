// The ?_extra= blocks of the table page (count, facets, suggestions, human description,
// query, metadata, ...), computed on demand from the state the table handler built, and the
// pieces the row and query pages share with it.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "api/context.h"
#include "api/pages.h"
#include "api/resolve.h"
#include "api/table_filters.h"
#include "config/config.h"
#include "sql/table_select.h"

namespace almanac::api {

// What the table handler knows when it resolves the extras.
struct TableState {
  const Instance& instance;
  const Request& request;
  const ResolvedTable& resolved;
  const config::TableOptions& options;
  const sql::TableSelect& select;
  const TableFilters& filters;
  bool nocount = false;
  bool nofacet = false;
  bool nosuggest = false;
  bool html = false;
};

// Datasette's bundle of extras behind the HTML table page.
const std::set<std::string>& HtmlTableExtras();

// Fills the blocks named in `extras` (and what they depend on) into `page`, and sets
// page.extras to the names the JSON carries.
Status ResolveTableExtras(const TableState& state, std::set<std::string> extras, TablePage& page);

// path_with_format: the page's path as `format` (".json" appended, or ?_format= when the path
// already has a dot), the query string kept, `extra` arguments sorted and appended.
std::string PathWithFormat(const Request& request, std::string_view format,
                           std::vector<std::pair<std::string, std::string>> extra);

}  // namespace almanac::api
