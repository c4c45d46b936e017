// The route handlers, one file per area so each grows on its own:
//   read_routes.cc     index, database, table, row and SQL pages (GET/HEAD)
//   special_routes.cc  the /-/ pages
//   write_routes.cc    the write API (POST insert/upsert/update/delete/create/alter/drop,
//                      execute-write) and the foreign-key helper pages
//   export_routes.cc   .csv and .blob of tables, views, canned queries, rows and SQL
//   auth_routes.cc     /-/auth-token, logout, create-token, permissions, check, allowed, rules
// Each takes the matched route and the request and returns a complete Response.
#pragma once

#include <optional>

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
// A write-API route, or nullopt when the route is not one (then the read handlers take it).
std::optional<Response> HandleWrite(const RouteContext& ctx);
Response HandleQueryAction(const RouteContext& ctx);

// The export formats (csv, blob) of the table, row and SQL pages.
bool IsExportFormat(const std::string& format);
Response HandleTableExport(const RouteContext& ctx);
Response HandleRowExport(const RouteContext& ctx);
Response HandleQueryExport(const RouteContext& ctx);

// auth_routes.cc: login/logout, tokens and the permission debugging pages.
bool IsAuthPage(const std::string& name);
Response HandleAuthPage(const RouteContext& ctx);
// Datasette's csrf_error page: 403, HTML, with the reason.
Response CsrfErrorResponse(const std::string& reason);

}  // namespace almanac::http
