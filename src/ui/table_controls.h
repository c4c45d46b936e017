// The table page's controls that depend only on the request: the filter operators Datasette
// offers, the filters currently applied (read back from the query string), and URLs that
// change some query arguments while keeping the rest.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/context.h"

namespace almanac::ui {

struct FilterOp {
  std::string_view key;      // "exact", "gt", ...
  std::string_view display;  // "=", ">", ...
  bool no_argument = false;  // isnull, notnull, isblank, notblank
};

// Every operator, in Datasette's order.
std::span<const FilterOp> FilterOps();
const FilterOp* FindFilterOp(std::string_view key);

struct FilterSelection {
  std::string column;
  std::string op;  // operator key
  std::string value;
};

// The `col__op=value` and `col=value` arguments that name one of `columns`.
std::vector<FilterSelection> ParseFilters(const api::Request& request,
                                          const std::vector<std::string>& columns);

// The request's path and query with every argument named in `remove` dropped and `add`
// appended (a pair whose value is nullopt only removes). `_next` is always dropped: a changed
// query starts from its first page.
std::string ChangedArgsUrl(const api::Request& request, const std::vector<std::string>& remove,
                           const std::vector<std::pair<std::string, std::string>>& add,
                           std::string_view path = {});

// Arguments a GET form must carry as hidden inputs to keep the current view: every "_x"
// argument except the ones the form sets itself.
std::vector<std::pair<std::string, std::string>> HiddenArgs(
    const api::Request& request, const std::vector<std::string>& form_sets);

}  // namespace almanac::ui
