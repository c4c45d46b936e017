// Datasette's query-string helpers for building links from the current request
// (path_with_added_args, path_with_removed_args). Like Python's parse_qsl(qs), they drop
// arguments with blank values from the current query string.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/context.h"

namespace almanac::api {

using ArgChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

// The request's query string arguments without blank values (parse_qsl).
QueryArgs NonBlankArgs(const Request& request);

// path_with_added_args: every key whose new value is nullopt is removed, the others are
// appended after the current arguments. `path` defaults to the request's path.
std::string PathWithAddedArgs(const Request& request, const ArgChanges& args,
                              std::string_view path = {});

// path_with_removed_args with a dict: removes the arguments matching both key and value.
std::string PathWithRemovedPairs(const Request& request,
                                 const std::vector<std::pair<std::string, std::string>>& pairs,
                                 std::string_view path = {});

// path_with_removed_args with a set: removes every value of these keys.
std::string PathWithRemovedKeys(const Request& request, const std::vector<std::string>& keys,
                                std::string_view path = {});

}  // namespace almanac::api
