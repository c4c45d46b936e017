// The route handlers, one file per area so each grows on its own:
//   read_routes.cc     index, database, table, row and SQL pages (GET/HEAD)
//   special_routes.cc  the /-/ pages
// Each takes the matched route and the request and returns a complete Response.
#pragma once

#include "api/context.h"
#include "http/response.h"
#include "http/router.h"

namespace almanac::http {

struct RouteContext {
  const api::Instance& instance;
  api::Request& request;
  const Route& route;
};

Response HandleIndex(const RouteContext& ctx);
Response HandleDatabase(const RouteContext& ctx);
Response HandleDatabaseAction(const RouteContext& ctx);
Response HandleQuery(const RouteContext& ctx);
Response HandleTable(const RouteContext& ctx);
Response HandleRow(const RouteContext& ctx);
Response HandleSpecial(const RouteContext& ctx);

}  // namespace almanac::http
