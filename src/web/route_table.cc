#include "web/route_table.h"

#include "web/oauth_routes.h"
#include "web/upload_page.h"

namespace almanac::web {

const std::vector<RouteRow>& RouteTable() {
  static const std::vector<RouteRow> kRoutes = {
      // The instance
      RouteRow(kGet, "/(.json)", HandleIndex),
      RouteRow(kGet, "/-/(.json)", HandleIndex),
      RouteRow(kGet, "/-", HandleDashRedirect),
      RouteRow(kGet, "/favicon.ico", HandleFavicon).HtmlOnly(),
      RouteRow(kGet, "/-/static/<path*>", HandleStatic),
      RouteRow(kGet, "/<path*>", HandleStaticMount).UnderStaticMount(),
      RouteRow(kGetPost, "/:memory:<rest*>", HandleMemoryRedirect),
      RouteRow(kGet, "/-/versions(.json)", HandleSpecial).Named("versions"),
      RouteRow(kGet, "/-/plugins(.json)", HandleSpecial).Named("plugins"),
      RouteRow(kGet, "/-/settings(.json)", HandleSpecial).Named("settings"),
      RouteRow(kGet, "/-/config(.json)", HandleSpecial).Named("config"),
      RouteRow(kGet, "/-/threads(.json)", HandleSpecial).Named("threads"),
      RouteRow(kGet, "/-/databases(.json)", HandleSpecial).Named("databases"),
      RouteRow(kGet, "/-/actor(.json)", HandleSpecial).Named("actor"),
      RouteRow(kGet, "/-/actions(.json)", HandleSpecial).Named("actions"),
      RouteRow(kGet, "/-/auth-token", HandleAuthToken).HtmlOnly(),
      RouteRow(kGetPost, "/-/create-token", HandleCreateToken).HtmlOnly(),
      RouteRow(kPost, "/-/oauth/device", HandleOAuthDevice).HtmlOnly(),
      RouteRow(kPost, "/-/oauth/token", HandleOAuthToken).HtmlOnly(),
      RouteRow(kGetPost, "/-/oauth/device/verify", HandleOAuthVerify).HtmlOnly(),
      RouteRow(kGet, "/-/api", HandleApiExplorer).HtmlOnly(),
      RouteRow(kGet, "/-/jump(.json)", HandleJump).HtmlOnly(),
      RouteRow(kGet, "/-/queries(.json)", HandleGlobalQueries),
      RouteRow(kGet, "/-/schema(.json|.md)", HandleSpecial).Named("schema"),
      RouteRow(kGetPost, "/-/logout", HandleLogout).HtmlOnly(),
      RouteRow(kGetPost, "/-/permissions", HandlePermissionsDebug).HtmlOnly(),
      RouteRow(kGet, "/-/allowed(.json)", HandlePermissionDebugPage).Named("allowed").HtmlOnly(),
      RouteRow(kGet, "/-/rules(.json)", HandlePermissionDebugPage).Named("rules").HtmlOnly(),
      RouteRow(kGet, "/-/check(.json)", HandlePermissionDebugPage).Named("check").HtmlOnly(),
      RouteRow(kGetPost, "/-/messages", HandleMessages).HtmlOnly(),
      RouteRow(kGet, "/-/allow-debug", HandleAllowDebug).HtmlOnly(),
      RouteRow(kGet, "/-/patterns", HandlePatterns).HtmlOnly(),
      RouteRow(kGet, "/-/debug/autocomplete", HandleNotServed),
      // A database
      RouteRow(kGet, "/<db>.db", HandleDatabaseDownload),
      RouteRow(kGet, "/<db>(.<format>)", HandleDatabase),
      RouteRow(kPost, "/<db>/-/create", HandleCreate),
      RouteRow(kGet, "/<db>/-/foreign-key-targets", HandleForeignKeyTargets),
      RouteRow(kGet, "/<db>/-/queries(.json)", HandleDatabaseQueries),
      RouteRow(kGetPost, "/<db>/-/queries/analyze", HandleNotServed),
      RouteRow(kGetPost, "/<db>/-/queries/store", HandleNotServed),
      RouteRow(kGetPost, "/<db>/-/execute-write/analyze", HandleNotServed),
      RouteRow(kPost, "/<db>/-/execute-write", HandleExecuteWrite),
      RouteRow(kGet, "/<db>/-/schema(.json|.md)", HandleDatabaseSchema),
      RouteRow(kGet, "/<db>/-/changes(.json)", HandleChanges),
      RouteRow(kGet, "/<db>/-/links(.json)", HandleLinks),
      RouteRow(kGet, "/<db>/-/links/all(.json)", HandleLinksAll),
      RouteRow(kGet, "/<db>/-/query/parameters", HandleQueryParameters),
      RouteRow(kGetPost, "/<db>/-/query(.<format>)", HandleQuery),
      RouteRow(kGetPost, "/<db>/-/create-table", HandleCreateTableForm).HtmlOnly(),
      RouteRow(kGetPost, "/<db>/-/upload(.json)", HandleUpload).HtmlOnly(),
      // Stored queries
      RouteRow(kGet, "/<db>/<query>/-/definition", HandleQueryDefinition),
      RouteRow(kGetPost, "/<db>/<query>/-/edit", HandleNotServed),
      RouteRow(kGetPost, "/<db>/<query>/-/update", HandleNotServed),
      RouteRow(kGetPost, "/<db>/<query>/-/delete", HandleNotServed),
      // Tables, views and canned queries (POST: a writable canned query)
      RouteRow(kGetPost, "/<db>/<table>(.<format>)", HandleTable),
      RouteRow(kGet, "/<db>/<table:any>/<pks:any>(.<format>)", HandleRow),
      RouteRow(kPost, "/<db>/<table>/-/insert", HandleInsert),
      RouteRow(kPost, "/<db>/<table>/-/upsert", HandleUpsert),
      RouteRow(kPost, "/<db>/<table>/-/alter", HandleAlter),
      RouteRow(kGet, "/<db>/<table>/-/foreign-key-suggestions", HandleForeignKeySuggestions),
      RouteRow(kPost, "/<db>/<table>/-/set-column-type", HandleNotServed),
      RouteRow(kGet, "/<db>/<table>/-/fragment", HandleNotServed),
      RouteRow(kGet, "/<db>/<table>/-/autocomplete", HandleTableAutocomplete),
      RouteRow(kPost, "/<db>/<table>/-/drop", HandleDrop),
      RouteRow(kGet, "/<db>/<table>/-/schema(.json|.md)", HandleTableSchema).HtmlOnly(),
      RouteRow(kGetPost, "/<db>/<table>/-/new-row", HandleNewRowForm).HtmlOnly(),
      RouteRow(kGetPost, "/<db>/<table>/-/confirm-drop", HandleDropTableForm).HtmlOnly(),
      // Rows
      RouteRow(kPost, "/<db>/<table:any>/<pks:any>/-/delete", HandleRowDelete),
      RouteRow(kPost, "/<db>/<table:any>/<pks:any>/-/update", HandleRowUpdate),
      RouteRow(kGetPost, "/<db>/<table:any>/<pks:any>/-/edit", HandleEditRowForm).HtmlOnly(),
      RouteRow(kGetPost, "/<db>/<table:any>/<pks:any>/-/confirm-delete", HandleDeleteRowForm)
          .HtmlOnly(),
  };
  return kRoutes;
}

bool RowTakes(const RouteRow& row, std::string_view method) {
  if (method == "GET" || method == "HEAD") return (row.methods & kGet) != 0;
  if (method == "POST") return (row.methods & kPost) != 0;
  return false;
}

}  // namespace almanac::web
