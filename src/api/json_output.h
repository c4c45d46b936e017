// JSON for each page model, in Datasette 1.0a37's shapes (_shape=objects|arrays|array|
// arrayfirst|object, _nl=on). Bytes only: headers and status are the caller's business.
#pragma once

#include <string>

#include "api/pages.h"
#include "core/status.h"

namespace almanac::api {

struct Body {
  std::string content_type = "application/json; charset=utf-8";
  std::string text;
};

inline constexpr const char* kJsonType = "application/json; charset=utf-8";

Body TableJson(const TablePage& page);
Body RowJson(const RowPage& page);
Body QueryJson(const QueryPage& page);
Body DatabaseJson(const DatabasePage& page);
Body IndexJson(const IndexPage& page);

}  // namespace almanac::api
