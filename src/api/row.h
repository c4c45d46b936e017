// The row page: /<db>/<table>/<pk1,pk2>(.json). Primary key values are tilde-encoded and
// comma-joined; rowid tables are addressed by rowid.
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"

namespace almanac::api {

Result<RowPage> BuildRowPage(const Instance& instance, const Request& request,
                             std::string_view database, std::string_view table,
                             std::string_view pks_path);

}  // namespace almanac::api
