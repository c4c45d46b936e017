// The route handlers, one file per area so each grows on its own:
//   read_routes.cc     index, database, table, row and SQL pages (GET/HEAD)
//   special_routes.cc  the /-/ pages
//   static_routes.cc   /-/static/ assets and --static mounts
//   write_routes.cc    the write API (POST insert/upsert/update/delete/create/alter/drop,
//                      execute-write) and the foreign-key helper pages
//   canned_write_routes.cc  POST to a writable canned query
//   download_routes.cc /<db>.db downloads and the /:memory: redirect
//   export_routes.cc   .csv and .blob of tables, views, canned queries, rows and SQL
//   auth_routes.cc     /-/auth-token, logout, create-token, permissions, check, allowed, rules
// Each takes the matched route and the request and returns a complete Response.
#pragma once

#include <optional>

#include "api/context.h"
#include "http/response.h"
#include "http/router.h"
#include "ui/renderer.h"

namespace almanac::http {

struct RouteContext {
  const api::Instance& instance;
  api::Request& request;
  const Route& route;
  const ui::Renderer& ui;

  // What the renderer needs besides the model: the instance, the request, the JSON twin.
  ui::RenderContext Html() const;
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
// form_routes.cc: the HTML write forms (new-row, edit, confirm-delete, confirm-drop,
// create-table); nullopt when the route is not one of them.
std::optional<Response> HandleForm(const RouteContext& ctx);
bool IsFormRoute(const Route& route);
// /-/static/<file>: the UI's embedded assets, cached by content hash.
Response HandleStatic(const RouteContext& ctx);
// A file below a --static mount, or nullopt when the path is under none.
std::optional<Response> HandleStaticMount(const api::Request& request, const ui::Assets& assets);
Response HandleQueryAction(const RouteContext& ctx);
// /<db>.db: the file of an immutable database.
Response HandleDatabaseDownload(const RouteContext& ctx);
// /:memory:<rest> -> 301 /_memory<rest> (query string kept); nullopt for other paths.
std::optional<Response> MemoryRedirect(const api::Request& request);
// POST /<db>/<query>: runs a writable canned query (`database` and `name` tilde-decoded).
Response HandleCannedWrite(const RouteContext& ctx, const std::string& database,
                           const std::string& name);

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
