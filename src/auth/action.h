// The 21 actions of Datasette 1.0a37, their names, token abbreviations, the level of resource
// they apply to, and the action each also requires (execute-sql also needs view-database).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace almanac::auth {

enum class Action {
  kViewInstance,
  kPermissionsDebug,
  kDebugMenu,
  kViewDatabase,
  kViewDatabaseDownload,
  kExecuteSql,
  kExecuteWriteSql,
  kCreateTable,
  kCreateView,
  kStoreQuery,
  kViewTable,
  kInsertRow,
  kDeleteRow,
  kUpdateRow,
  kAlterTable,
  kSetColumnType,
  kDropTable,
  kDropView,
  kViewQuery,
  kUpdateQuery,
  kDeleteQuery,
};

enum class ResourceLevel { kInstance, kDatabase, kTable, kQuery };

struct ActionInfo {
  Action action;
  std::string_view name;
  std::string_view abbr;
  ResourceLevel level;
  std::optional<Action> also_requires;
  std::string_view description;
};

std::span<const ActionInfo> AllActions();
const ActionInfo& Info(Action action);
// By full name ("view-table") or abbreviation ("vt").
std::optional<Action> ActionByName(std::string_view name_or_abbr);

// What an action applies to: the instance, a database, or a table/query in a database.
struct Resource {
  std::string database;  // empty for the instance
  std::string child;     // table or query name; empty for database level

  static Resource Instance() { return {}; }
  static Resource Database(std::string db) { return {std::move(db), {}}; }
  static Resource Table(std::string db, std::string table) {
    return {std::move(db), std::move(table)};
  }
};

}  // namespace almanac::auth
