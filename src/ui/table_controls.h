// The table page's controls that depend only on the request: the filter operators Datasette
// offers, and URLs that change some query arguments while keeping the rest. (The filters and
// sort themselves come from the page model: the query engine read them from the request.)
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
