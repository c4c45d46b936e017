// Parameters of SQL run from the SQL page and canned queries, as Datasette binds them:
// `:name` takes the query-string value (missing: ""), `:_name` must be given, and canned
// queries (never arbitrary SQL) also get the magic parameters of default_magic_parameters.py:
//   :_actor_<key>        the signed-in actor's field (error when anonymous or missing)
//   :_header_<name>      a request header, "_" standing for "-" ("" when absent)
//   :_cookie_<name>      a cookie (error when absent)
//   :_now_epoch, :_now_date_utc, :_now_datetime_utc
//   :_random_chars_<N>   N random hex characters
// A name of the magic form (`_<prefix>_<rest>`) with an unknown prefix binds NULL.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "core/result.h"
#include "core/value.h"
#include "db/execute.h"

namespace almanac::api {

// The value of magic parameter `name` (without ":"), std::nullopt when `name` is not of the
// magic form. Errors (InvalidArgument) when the request has no value for it.
Result<std::optional<Value>> MagicParameter(const Request& request, std::string_view name,
                                            std::chrono::system_clock::time_point now);

// How `:name` parameters are bound for `request`; `magic` enables the magic parameters
// (canned queries only). `exclude` names a query-string key that is never a parameter
// ("sql" on the SQL page).
// The resolver refers to `request`, which must outlive it.
db::ParamResolver RequestParameters(const Request& request, bool magic,
                                    std::string_view exclude = {});

// The value of cookie `name` from the Cookie header(s), surrounding quotes removed; when a
// name repeats the last one wins, as in Python's SimpleCookie.
std::optional<std::string> RequestCookie(const Request& request, std::string_view name);

}  // namespace almanac::api
