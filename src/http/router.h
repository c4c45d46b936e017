// Router: maps a raw request path to the page it names, following Datasette 1.0a37's URL
// patterns in the same order. Pure: no I/O, names stay tilde-encoded (the caller decodes).
#pragma once

#include <string>
#include <string_view>

namespace almanac::http {

enum class RouteKind {
  kNotFound,
  kIndex,             // / and /-/
  kRedirectDash,      // /-  -> /-/
  kStatic,            // /-/static/<path>
  kSpecial,           // /-/<name>(.json)
  kDatabase,          // /<db>(.<format>)
  kDatabaseDownload,  // /<db>.db
  kDatabaseAction,    // /<db>/-/<action>(.<format>)
  kQuery,             // /<db>/-/query(.<format>)
  kQueryAction,       // /<db>/<query>/-/<action>
  kTable,             // /<db>/<table>(.<format>)
  kRow,               // /<db>/<table>/<pks>(.<format>)
  kTableAction,       // /<db>/<table>/-/<action>
  kRowAction,         // /<db>/<table>/<pks>/-/<action>
};

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  std::string database;  // tilde-encoded, as in the URL
  std::string table;     // tilde-encoded (or a canned query name)
  std::string pks;       // tilde-encoded, comma-joined
  std::string name;      // special page or action name ("versions", "insert", ...)
  std::string format;    // "json", "csv", ... or "" for HTML
};

Route MatchRoute(std::string_view path);

}  // namespace almanac::http
