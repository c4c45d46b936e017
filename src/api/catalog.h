// The instance and database pages: /.json (index) and /<db>.json. Table counts are bounded
// (count up to 10,001 rows with a per-table time limit), as Datasette bounds them.
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"

namespace almanac::api {

inline constexpr int64_t kCountLimit = 10000;

Result<DatabasePage> BuildDatabasePage(const Instance& instance, const Request& request,
                                       std::string_view database);
Result<IndexPage> BuildIndexPage(const Instance& instance, const Request& request);

// Datasette's colour for a database: the first six hex digits of md5(name).
std::string DatabaseColor(std::string_view name);

}  // namespace almanac::api
