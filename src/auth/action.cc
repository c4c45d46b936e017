#include "auth/action.h"

#include <array>

namespace almanac::auth {
namespace {

using A = Action;
using L = ResourceLevel;

constexpr std::array<ActionInfo, 21> kActions = {{
    {A::kViewInstance, "view-instance", "vi", L::kInstance, std::nullopt,
     "View Datasette instance"},
    {A::kPermissionsDebug, "permissions-debug", "pd", L::kInstance, std::nullopt,
     "Access permission debug tool"},
    {A::kDebugMenu, "debug-menu", "dm", L::kInstance, std::nullopt, "View debug menu items"},
    {A::kViewDatabase, "view-database", "vd", L::kDatabase, std::nullopt, "View database"},
    {A::kViewDatabaseDownload, "view-database-download", "vdd", L::kDatabase, A::kViewDatabase,
     "Download database file"},
    {A::kExecuteSql, "execute-sql", "es", L::kDatabase, A::kViewDatabase,
     "Execute read-only SQL queries"},
    {A::kExecuteWriteSql, "execute-write-sql", "ews", L::kDatabase, A::kViewDatabase,
     "Execute writable SQL queries"},
    {A::kCreateTable, "create-table", "ct", L::kDatabase, std::nullopt, "Create tables"},
    {A::kCreateView, "create-view", "cv", L::kDatabase, std::nullopt, "Create views"},
    {A::kStoreQuery, "store-query", "sq", L::kDatabase, A::kExecuteSql, "Create stored queries"},
    {A::kViewTable, "view-table", "vt", L::kTable, std::nullopt, "View table"},
    {A::kInsertRow, "insert-row", "ir", L::kTable, std::nullopt, "Insert rows"},
    {A::kDeleteRow, "delete-row", "dr", L::kTable, std::nullopt, "Delete rows"},
    {A::kUpdateRow, "update-row", "ur", L::kTable, std::nullopt, "Update rows"},
    {A::kAlterTable, "alter-table", "at", L::kTable, std::nullopt, "Alter tables"},
    {A::kSetColumnType, "set-column-type", "sct", L::kTable, std::nullopt, "Set column type"},
    {A::kDropTable, "drop-table", "dt", L::kTable, std::nullopt, "Drop tables"},
    {A::kDropView, "drop-view", "dv", L::kTable, std::nullopt, "Drop views"},
    {A::kViewQuery, "view-query", "vq", L::kQuery, std::nullopt, "View named query results"},
    {A::kUpdateQuery, "update-query", "uq", L::kQuery, std::nullopt, "Update stored queries"},
    {A::kDeleteQuery, "delete-query", "dq", L::kQuery, std::nullopt, "Delete stored queries"},
}};

}  // namespace

std::span<const ActionInfo> AllActions() { return kActions; }

const ActionInfo& Info(Action action) { return kActions[static_cast<size_t>(action)]; }

std::optional<Action> ActionByName(std::string_view name_or_abbr) {
  for (const ActionInfo& info : kActions) {
    if (info.name == name_or_abbr || info.abbr == name_or_abbr) return info.action;
  }
  return std::nullopt;
}

}  // namespace almanac::auth
