#include "api/resolve.h"

#include <charconv>

#include "api/canned_queries.h"

namespace almanac::api {

Result<ResolvedDatabase> ResolveDatabase(const Instance& instance, std::string_view name) {
  db::Database* database = instance.registry.Find(name);
  if (!database) return NotFound("Database not found").About(ErrorSubject::kDatabase);
  ResolvedDatabase resolved;
  resolved.db = database;
  ALM_ASSIGN_OR_RETURN(resolved.conn, database->ReadConnection());
  ALM_ASSIGN_OR_RETURN(resolved.schema, database->CurrentSchema(*resolved.conn));
  return resolved;
}

Result<ResolvedTable> ResolveTable(const Instance& instance, std::string_view database,
                                   std::string_view table) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase db, ResolveDatabase(instance, database));
  ResolvedTable resolved;
  static_cast<ResolvedDatabase&>(resolved) = std::move(db);
  resolved.table = resolved.schema->Find(table);
  if (!resolved.table) return NotFound("Table not found").About(ErrorSubject::kTable);
  return resolved;
}

Result<PathTarget> ResolvePathTarget(const Instance& instance, std::string_view database,
                                     std::string_view name) {
  Result<ResolvedTable> table = ResolveTable(instance, database, name);
  if (table.ok()) return PathTarget::kTable;
  if (table.status().Is(ErrorCode::kNotFound, ErrorSubject::kDatabase)) {
    return PathTarget::kNoDatabase;
  }
  if (!table.status().Is(ErrorCode::kNotFound, ErrorSubject::kTable)) return table.status();
  if (FindCannedQuery(instance.config, database, name)) return PathTarget::kCannedQuery;
  return PathTarget::kNothing;
}

db::Limits QueryLimits(const Instance& instance, const Request& request) {
  db::Limits limits;
  limits.max_rows = instance.settings.max_returned_rows;
  int64_t ms = instance.settings.sql_time_limit_ms;
  if (const std::string* custom = request.Arg("_timelimit")) {
    int64_t asked = 0;
    auto [ptr, ec] = std::from_chars(custom->data(), custom->data() + custom->size(), asked);
    if (ec == std::errc() && ptr == custom->data() + custom->size() && asked > 0 && asked < ms) {
      ms = asked;
    }
  }
  if (ms > 0) limits.deadline = db::Clock::now() + std::chrono::milliseconds(ms);
  return limits;
}

bool IsPrivate(const Instance& instance, auth::Action action, const auth::Resource& resource) {
  return !instance.permissions.Allowed(std::nullopt, action, resource);
}

Status Require(const Instance& instance, const Request& request, auth::Action action,
               const auth::Resource& resource, std::string_view message) {
  if (instance.permissions.Allowed(request.actor, action, resource)) return Status::Ok();
  return PermissionDenied(std::string(message));
}

Status CheckTablePermission(const Instance& instance, const Request& request,
                            std::string_view database, std::string_view table) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table));
  return Require(instance, request, auth::Action::kViewTable,
                 auth::Resource::Table(std::string(database), resolved.table->name),
                 "You do not have permission to view this table");
}

Status CheckQueryPermission(const Instance& instance, const Request& request,
                            std::string_view database) {
  if (!instance.registry.Find(database)) return NotFound("Database not found");
  return Require(instance, request, auth::Action::kExecuteSql,
                 auth::Resource::Database(std::string(database)),
                 "You do not have permission to execute SQL");
}

}  // namespace almanac::api
