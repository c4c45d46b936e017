// PermissionEngine: decides whether an actor may perform an action on a resource.
// Inputs: the actor, the instance config (allow / permissions blocks), the settings, and
// --default-deny. Token restrictions only ever narrow what the actor could otherwise do.
#pragma once

#include "auth/action.h"
#include "auth/actor.h"
#include "config/config.h"
#include "config/settings.h"

namespace almanac::auth {

struct PermissionOptions {
  bool default_deny = false;  // --default-deny: view actions are no longer allowed by default
};

class PermissionEngine {
 public:
  PermissionEngine(const config::Config& config, const config::Settings& settings,
                   PermissionOptions options)
      : config_(config), settings_(settings), options_(options) {}

  // True when `actor` may perform `action` on `resource`, including the action it also
  // requires (execute-sql needs view-database).
  bool Allowed(const MaybeActor& actor, Action action, const Resource& resource) const;

 private:
  bool AllowedOne(const MaybeActor& actor, Action action, const Resource& resource) const;

  const config::Config& config_;
  const config::Settings& settings_;
  PermissionOptions options_;
};

}  // namespace almanac::auth
