#include "auth/permissions.h"

namespace almanac::auth {

bool PermissionEngine::Allowed(const MaybeActor& actor, Action action,
                               const Resource& resource) const {
  if (!AllowedOne(actor, action, resource)) return false;
  const ActionInfo& info = Info(action);
  if (info.also_requires) return Allowed(actor, *info.also_requires, resource);
  return true;
}

bool PermissionEngine::AllowedOne(const MaybeActor& actor, Action action,
                                  const Resource& /*resource*/) const {
  if (actor && actor->id() == "root" && !actor->is_token()) return true;
  switch (action) {
    case Action::kViewInstance:
    case Action::kViewDatabase:
    case Action::kViewDatabaseDownload:
    case Action::kViewTable:
    case Action::kViewQuery:
      return !options_.default_deny;
    case Action::kExecuteSql:
      return !options_.default_deny && settings_.default_allow_sql;
    default:
      return false;
  }
}

}  // namespace almanac::auth
