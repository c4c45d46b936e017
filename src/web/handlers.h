// The route handlers, one file per area so each grows on its own:
//   read_routes.cc      index, database, table, row and SQL pages
//   special_routes.cc   the /-/ pages with JSON twins, database actions, query definitions
//   static_routes.cc    /-/static/ assets, --static mounts, the favicon
//   tool_routes.cc      API explorer, patterns, allow/message debuggers, jump, autocomplete,
//                       query parameters, the instance-wide query list
//   write_routes.cc     the write API (insert, upsert, update, delete, create, alter, drop,
//                       execute-write) and the foreign-key helper pages
//   canned_write_routes.cc  POST to a writable canned query
//   download_routes.cc  /<db>.db downloads and the /:memory: redirect
//   export_routes.cc    .csv and .blob of tables, views, canned queries, rows and SQL
//   auth_routes.cc      /-/auth-token, logout, create-token, permissions, check, allowed, rules
//   form_routes.cc      the HTML write forms (form_submit.cc submits them)
//   change_routes.cc    the change feed (JSON pages, Server-Sent Events)
// Each takes the matched route and the request and returns a complete Response; which
// handler serves which URL is decided only by the route table (route_table.cc).
#pragma once

#include <string>

#include "api/context.h"
#include "http/message.h"
#include "ui/renderer.h"
#include "web/route_pattern.h"

namespace almanac::web {

using http::Response;

// What a matched route hands its handler: the URL's captures (tilde-encoded, as in the URL)
// and the row's name (for handlers that serve several pages).
struct Route : Captures {
  std::string name;
};

struct RouteContext {
  const api::Instance& instance;
  api::Request& request;
  const Route& route;
  const ui::Renderer& ui;

  // What the renderer needs besides the model: the instance, the request, the JSON twin.
  ui::RenderContext Html() const;
};

using RouteHandler = Response (*)(const RouteContext&);

// read_routes.cc
Response HandleIndex(const RouteContext& ctx);
Response HandleDatabase(const RouteContext& ctx);
Response HandleQuery(const RouteContext& ctx);
Response HandleTable(const RouteContext& ctx);
Response HandleRow(const RouteContext& ctx);
// special_routes.cc
Response HandleSpecial(const RouteContext& ctx);
Response HandleDatabaseSchema(const RouteContext& ctx);
Response HandleTableSchema(const RouteContext& ctx);
Response HandleDatabaseQueries(const RouteContext& ctx);
Response HandleQueryDefinition(const RouteContext& ctx);
// A route Datasette has that Almanac does not serve yet: 404 (docs/compat.md says why).
Response HandleNotServed(const RouteContext& ctx);
// static_routes.cc
Response HandleStatic(const RouteContext& ctx);
Response HandleFavicon(const RouteContext& ctx);
Response HandleStaticMount(const RouteContext& ctx);
Response HandleDashRedirect(const RouteContext& ctx);
// tool_routes.cc
Response HandleApiExplorer(const RouteContext& ctx);
Response HandlePatterns(const RouteContext& ctx);
Response HandleAllowDebug(const RouteContext& ctx);
Response HandleMessages(const RouteContext& ctx);
Response HandleJump(const RouteContext& ctx);
Response HandleGlobalQueries(const RouteContext& ctx);
Response HandleQueryParameters(const RouteContext& ctx);
Response HandleTableAutocomplete(const RouteContext& ctx);
// download_routes.cc
Response HandleDatabaseDownload(const RouteContext& ctx);
Response HandleMemoryRedirect(const RouteContext& ctx);
// write_routes.cc
Response HandleInsert(const RouteContext& ctx);
Response HandleUpsert(const RouteContext& ctx);
Response HandleAlter(const RouteContext& ctx);
Response HandleDrop(const RouteContext& ctx);
Response HandleRowUpdate(const RouteContext& ctx);
Response HandleRowDelete(const RouteContext& ctx);
Response HandleCreate(const RouteContext& ctx);
Response HandleExecuteWrite(const RouteContext& ctx);
Response HandleForeignKeyTargets(const RouteContext& ctx);
Response HandleForeignKeySuggestions(const RouteContext& ctx);
// canned_write_routes.cc: POST /<db>/<query> (`database` and `name` tilde-decoded).
Response HandleCannedWrite(const RouteContext& ctx, const std::string& database,
                           const std::string& name);
// form_routes.cc
Response HandleNewRowForm(const RouteContext& ctx);
Response HandleEditRowForm(const RouteContext& ctx);
Response HandleDeleteRowForm(const RouteContext& ctx);
Response HandleDropTableForm(const RouteContext& ctx);
Response HandleCreateTableForm(const RouteContext& ctx);
// auth_routes.cc
Response HandleAuthToken(const RouteContext& ctx);
Response HandleLogout(const RouteContext& ctx);
Response HandleCreateToken(const RouteContext& ctx);
Response HandlePermissionsDebug(const RouteContext& ctx);
Response HandlePermissionDebugPage(const RouteContext& ctx);  // check, allowed, rules
// Datasette's csrf_error page: 403, HTML, with the reason.
Response CsrfErrorResponse(const std::string& reason);
// change_routes.cc: /<db>/-/changes.json pages and the /<db>/-/changes event stream.
Response HandleChanges(const RouteContext& ctx);
// The backlinks API (docs/links.md), in change_routes.cc too.
Response HandleLinks(const RouteContext& ctx);
Response HandleLinksAll(const RouteContext& ctx);
// export_routes.cc: the export formats (csv, blob) of the table, row and SQL pages.
bool IsExportFormat(const std::string& format);
Response HandleTableExport(const RouteContext& ctx);
Response HandleRowExport(const RouteContext& ctx);
Response HandleQueryExport(const RouteContext& ctx);

}  // namespace almanac::web
