// Roles of the hosting mode's members, as Datasette actions. The front door hands a member of
// a space to the space's worker as an actor with a "role" (auth/handoff.h):
//     {"id": "alice", "role": "member", "space": "team"}
// and the worker's permission engine gets this source, which allows that role's actions
// everywhere in the space:
//   viewer  view the instance, databases (and their download), tables and queries; read-only SQL
//   member  + insert, update and delete rows; create tables
//   admin   + alter and drop tables, set column types, create and drop views, execute-write
//             SQL, store/update/delete queries, the permissions debug pages
//   owner   as admin here (renaming and deleting the space are the front door's)
// Only for workers that trust the hand-off alone: anywhere else an actor's "role" could come
// from a token or cookie its holder made, and must mean nothing. Token restrictions ("_r") on
// the actor still narrow what the role allows (restrictions never grant).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "auth/action.h"
#include "auth/permissions.h"

namespace almanac::auth {

// The actions a role allows (nullopt for an unknown role, which allows nothing).
std::optional<std::span<const Action>> RoleActions(std::string_view role);

std::unique_ptr<RuleSource> MakeSpaceRoleSource();

}  // namespace almanac::auth
