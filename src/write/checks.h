// The permission and mutability checks every write operation is built from: an action on a
// table (or a database) for an actor, through the permission engine; and whether the database
// may be written at all.
#pragma once

#include <string>
#include <string_view>

#include "auth/action.h"
#include "auth/actor.h"
#include "auth/permissions.h"
#include "core/result.h"
#include "db/database.h"

namespace almanac::write {

// PermissionDenied(message) unless `actor` may do `action` on the table.
Status RequireTable(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                    auth::Action action, const std::string& database, const std::string& table,
                    std::string_view message);
// PermissionDenied(message) unless `actor` may do `action` on the database.
Status RequireDatabase(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                       auth::Action action, const std::string& database, std::string_view message);

// PermissionDenied "Database is immutable" for a database opened with -i.
Status CheckMutable(const db::Database& db);

}  // namespace almanac::write
