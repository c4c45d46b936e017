// The built-in RuleSources of the PermissionEngine (Datasette's default_permissions/), and
// actor_matches_allow(), the matcher of `allow:` blocks.
#pragma once

#include <memory>
#include <optional>

#include "auth/permissions.h"
#include "format/json_value.h"

namespace almanac::auth {

// Datasette's actor_matches_allow: true/false; {"unauthenticated": true} matches no actor;
// {"id": "*"} matches any actor with an id; {"id": ["a", "b"]} or {"id": "a"} match by value
// (list-valued actor fields match when any value is listed). Missing block: everyone.
bool ActorMatchesAllow(const MaybeActor& actor, const format::JsonValue* allow);

// Token restrictions (`_r`): an allowlist by action name or abbreviation, at instance
// ("a"), database ("d") and table/query ("r") level.
std::unique_ptr<RuleSource> MakeRestrictionsSource();
// With --root: a global allow of everything for the actor whose id is "root".
std::unique_ptr<RuleSource> MakeRootSource(bool root_enabled);
// `permissions:` blocks and `allow` / `allow_sql` blocks in the config, at every level.
std::unique_ptr<RuleSource> MakeConfigSource(const config::Config& config);
// The view actions unless --default-deny; a deny of execute-sql when default_allow_sql is off.
std::unique_ptr<RuleSource> MakeDefaultsSource(const config::Settings& settings, bool default_deny);

// Whether token restrictions `r` (the "_r" object) allow `action` on `resource`
// (Datasette's restrictions_allow_action).
bool RestrictionsAllow(const format::JsonValue& r, Action action, const Resource& resource);

}  // namespace almanac::auth
