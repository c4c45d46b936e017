#include "write/checks.h"

namespace almanac::write {

Status RequireTable(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                    auth::Action action, const std::string& database, const std::string& table,
                    std::string_view message) {
  if (engine.Allowed(actor, action, auth::Resource::Table(database, table))) return Status::Ok();
  return PermissionDenied(std::string(message));
}

Status RequireDatabase(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                       auth::Action action, const std::string& database, std::string_view message) {
  if (engine.Allowed(actor, action, auth::Resource::Database(database))) return Status::Ok();
  return PermissionDenied(std::string(message));
}

Status CheckMutable(const db::Database& db) {
  if (db.is_mutable()) return Status::Ok();
  return PermissionDenied("Database is immutable");
}

}  // namespace almanac::write
