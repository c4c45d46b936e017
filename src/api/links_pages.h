// The backlinks API (docs/links.md), read from the links index:
//   /<db>/-/links.json?target=TABLE/PK[&source=TABLE.COLUMN][&_size=N][&_next=TOKEN]
//     -> {"ok", "database", "target": {"table", "pk"}, "total", "rows": [{"table", "column",
//        "pk"}], "next"}
//   /<db>/-/links/all.json?target=TABLE/PK
//     -> {"ok", "database", "target", "total", "links": {"<table>": {"<column>": n}}}
// Counts come from the stored counters; rows in keyset order. Sources the actor may not view
// are left out of both.
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "core/result.h"

namespace almanac::api {

Result<std::string> LinksPageJson(const Instance& instance, const Request& request,
                                  std::string_view database);
Result<std::string> LinksAllJson(const Instance& instance, const Request& request,
                                 std::string_view database);

}  // namespace almanac::api
