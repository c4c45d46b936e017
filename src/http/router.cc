#include "http/router.h"

#include <array>
#include <vector>

namespace almanac::http {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool AllWordChars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsWordChar(c)) return false;
  }
  return true;
}

// `[^/.]+(\.(\w+))?` : a name without dots, optionally followed by .format.
bool SplitNameFormat(std::string_view segment, std::string& name, std::string& format) {
  size_t dot = segment.find('.');
  std::string_view base = segment.substr(0, dot);
  if (base.empty()) return false;
  if (dot == std::string_view::npos) {
    name = std::string(base);
    format.clear();
    return true;
  }
  std::string_view ext = segment.substr(dot + 1);
  if (!AllWordChars(ext)) return false;
  name = std::string(base);
  format = std::string(ext);
  return true;
}

bool NoDot(std::string_view s) { return !s.empty() && s.find('.') == std::string_view::npos; }

// `[^/]+?(\.(\w+))?$`: the shortest name such that the rest is an optional .format.
void SplitLazyFormat(std::string_view segment, std::string& name, std::string& format) {
  size_t dot = segment.rfind('.');
  if (dot != std::string_view::npos && dot > 0 && AllWordChars(segment.substr(dot + 1))) {
    name = std::string(segment.substr(0, dot));
    format = std::string(segment.substr(dot + 1));
    return;
  }
  name = std::string(segment);
  format.clear();
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // skip the leading "/"
  for (;;) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

// Names of the /-/<name> pages that also answer as /-/<name>.json.
constexpr std::array<std::string_view, 14> kJsonSpecialPages = {
    "versions", "plugins", "settings", "config", "threads", "databases", "actor",
    "actions",  "jump",    "queries",  "schema", "allowed", "rules",     "check"};

// Names of the /-/<name> pages that are HTML only: "/-/<name>.json" is not one of them.
constexpr std::array<std::string_view, 6> kHtmlSpecialPages = {
    "auth-token", "create-token", "api", "logout", "permissions", "allow-debug"};

// Datasette's actions, then Almanac's HTML forms (http/form_routes.cc).
constexpr std::array<std::string_view, 11> kDatabaseActions = {"create",
                                                               "foreign-key-targets",
                                                               "queries",
                                                               "execute-write",
                                                               "schema",
                                                               "query",
                                                               "queries/analyze",
                                                               "queries/store",
                                                               "execute-write/analyze",
                                                               "query/parameters",
                                                               "create-table"};

constexpr std::array<std::string_view, 11> kTableActions = {
    "insert",          "upsert",   "alter",        "foreign-key-suggestions",
    "set-column-type", "fragment", "autocomplete", "drop",
    "schema",          "new-row",  "confirm-drop"};

constexpr std::array<std::string_view, 4> kRowActions = {"delete", "update", "edit",
                                                         "confirm-delete"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view name) {
  for (std::string_view item : list) {
    if (item == name) return true;
  }
  return false;
}

}  // namespace

Route MatchRoute(std::string_view path) {
  Route route;
  if (path.empty() || path[0] != '/') return route;
  if (path == "/" || path == "/.json" || path == "/-/" || path == "/-/.json") {
    route.kind = RouteKind::kIndex;
    route.format = path.ends_with(".json") ? "json" : "";
    return route;
  }
  if (path == "/-") {
    route.kind = RouteKind::kRedirectDash;
    return route;
  }
  if (path.starts_with("/-/static/")) {
    route.kind = RouteKind::kStatic;
    route.name = std::string(path.substr(10));
    return route;
  }
  std::vector<std::string_view> parts = Split(path);
  if (parts[0] == "-" && parts.size() >= 2) {
    std::string name;
    std::string format;
    std::string_view rest = path.substr(3);
    if (rest == "debug/autocomplete" || rest == "messages" || rest == "patterns") {
      route.kind = RouteKind::kSpecial;
      route.name = std::string(rest);
      return route;
    }
    if (parts.size() == 2 && SplitNameFormat(parts[1], name, format) &&
        ((Contains(kJsonSpecialPages, name) &&
          (format.empty() || format == "json" || (name == "schema" && format == "md"))) ||
         (Contains(kHtmlSpecialPages, name) && format.empty()))) {
      route.kind = RouteKind::kSpecial;
      route.name = name;
      route.format = format;
      return route;
    }
    // Otherwise "-" is matched as a database name below, as Datasette's patterns do.
  }
  if (parts.size() == 1) {
    std::string_view segment = parts[0];
    if (segment.ends_with(".db") && NoDot(segment.substr(0, segment.size() - 3))) {
      route.kind = RouteKind::kDatabaseDownload;
      route.database = std::string(segment.substr(0, segment.size() - 3));
      return route;
    }
    if (SplitNameFormat(segment, route.database, route.format)) route.kind = RouteKind::kDatabase;
    return route;
  }
  if (!NoDot(parts[0])) return route;
  route.database = std::string(parts[0]);
  if (parts[1] == "-" && parts.size() >= 3) {
    std::string action(path.substr(parts[0].size() + 4));  // after "/<db>/-/"
    std::string name;
    std::string format;
    if (parts.size() == 3 && SplitNameFormat(parts[2], name, format)) {
      if (name == "query") {
        route.kind = RouteKind::kQuery;
        route.format = format;
        return route;
      }
      if ((name == "queries" && (format.empty() || format == "json")) ||
          (name == "schema" && (format.empty() || format == "json" || format == "md"))) {
        route.kind = RouteKind::kDatabaseAction;
        route.name = name;
        route.format = format;
        return route;
      }
    }
    if (Contains(kDatabaseActions, action)) {
      route.kind = RouteKind::kDatabaseAction;
      route.name = action;
      return route;
    }
  }
  if (parts.size() == 4 && parts[2] == "-" && NoDot(parts[1]) &&
      (parts[3] == "definition" || parts[3] == "edit" || parts[3] == "update" ||
       parts[3] == "delete")) {
    // Stored-query routes come before the table routes, as in Datasette; row delete and
    // update have five parts (/<db>/<t>/<pks>/-/x), so they do not clash.
    route.kind = RouteKind::kQueryAction;
    route.table = std::string(parts[1]);
    route.name = std::string(parts[3]);
    return route;
  }
  if (parts.size() == 2) {
    if (SplitNameFormat(parts[1], route.table, route.format)) route.kind = RouteKind::kTable;
    return route;
  }
  if (parts.size() == 3 && !parts[1].empty() && !parts[2].empty()) {
    route.kind = RouteKind::kRow;
    route.table = std::string(parts[1]);
    SplitLazyFormat(parts[2], route.pks, route.format);
    return route;
  }
  if (parts.size() == 4 && parts[2] == "-" && NoDot(parts[1])) {
    std::string name;
    std::string format;
    if (SplitNameFormat(parts[3], name, format) && name == "schema" &&
        (format.empty() || format == "json" || format == "md")) {
      route.kind = RouteKind::kTableAction;
      route.table = std::string(parts[1]);
      route.name = name;
      route.format = format;
      return route;
    }
    if (Contains(kTableActions, parts[3])) {
      route.kind = RouteKind::kTableAction;
      route.table = std::string(parts[1]);
      route.name = std::string(parts[3]);
      return route;
    }
    return route;
  }
  if (parts.size() == 5 && parts[3] == "-" && !parts[1].empty() && !parts[2].empty() &&
      Contains(kRowActions, parts[4])) {
    route.kind = RouteKind::kRowAction;
    route.table = std::string(parts[1]);
    route.pks = std::string(parts[2]);
    route.name = std::string(parts[4]);
    return route;
  }
  return route;
}

}  // namespace almanac::http
