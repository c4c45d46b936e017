#include "auth/space_roles.h"

#include <algorithm>
#include <string>

namespace almanac::auth {
namespace {

using enum Action;

constexpr Action kViewer[] = {kViewInstance, kViewDatabase, kViewDatabaseDownload,
                              kViewTable,    kViewQuery,    kExecuteSql};
constexpr Action kMember[] = {kViewInstance, kViewDatabase, kViewDatabaseDownload,
                              kViewTable,    kViewQuery,    kExecuteSql,
                              kInsertRow,    kUpdateRow,    kDeleteRow,
                              kCreateTable};
constexpr Action kAdmin[] = {kViewInstance,    kViewDatabase,     kViewDatabaseDownload,
                             kViewTable,       kViewQuery,        kExecuteSql,
                             kInsertRow,       kUpdateRow,        kDeleteRow,
                             kCreateTable,     kAlterTable,       kSetColumnType,
                             kDropTable,       kCreateView,       kDropView,
                             kExecuteWriteSql, kStoreQuery,       kUpdateQuery,
                             kDeleteQuery,     kPermissionsDebug, kDebugMenu};

class SpaceRoleSource : public RuleSource {
 public:
  std::string name() const override { return "space_role"; }
  void AddRules(const MaybeActor& actor, Action action, std::vector<Rule>& out) const override {
    if (!actor) return;
    const format::JsonValue* role = actor->data.Find("role");
    if (!role || !role->is_string()) return;
    std::optional<std::span<const Action>> allowed = RoleActions(role->as_string());
    if (!allowed || std::find(allowed->begin(), allowed->end(), action) == allowed->end()) return;
    out.push_back({std::nullopt, std::nullopt, true,
                   "the space's " + role->as_string() + " role allows it", name()});
  }
};

}  // namespace

std::optional<std::span<const Action>> RoleActions(std::string_view role) {
  if (role == "viewer") return std::span<const Action>(kViewer);
  if (role == "member") return std::span<const Action>(kMember);
  if (role == "admin" || role == "owner") return std::span<const Action>(kAdmin);
  return std::nullopt;
}

std::unique_ptr<RuleSource> MakeSpaceRoleSource() { return std::make_unique<SpaceRoleSource>(); }

}  // namespace almanac::auth
