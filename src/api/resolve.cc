#include "api/resolve.h"

#include <charconv>

#include "api/canned_queries.h"
#include "db/sql_analysis.h"
#include "sql/query.h"

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
  if (FindCannedQuery(instance, database, name)) return PathTarget::kCannedQuery;
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

bool MaySeeDatabase(const Instance& instance, const Request& request, const std::string& database) {
  if (instance.permissions.Allowed(request.actor, auth::Action::kViewDatabase,
                                   auth::Resource::Database(database))) {
    return true;
  }
  for (auth::Action action : {auth::Action::kViewTable, auth::Action::kViewQuery}) {
    for (const auth::Rule& rule : instance.permissions.Rules(request.actor, action)) {
      if (rule.allow && (!rule.parent || *rule.parent == database)) return true;
    }
  }
  return false;
}

Status Require(const Instance& instance, const Request& request, auth::Action action,
               const auth::Resource& resource, std::string_view message) {
  if (instance.permissions.Allowed(request.actor, action, resource)) return Status::Ok();
  if (instance.hidden_means_absent) {
    // Whatever was asked of a database the actor may see nothing of, it answers as one that
    // is not there.
    if (!resource.database.empty() && !MaySeeDatabase(instance, request, resource.database)) {
      return NotFound("Database not found").About(ErrorSubject::kDatabase);
    }
    switch (action) {
      case auth::Action::kViewDatabase:
        return NotFound("Database not found").About(ErrorSubject::kDatabase);
      case auth::Action::kViewTable:
      case auth::Action::kViewQuery:
        return NotFound("Table not found").About(ErrorSubject::kTable);
      default:
        break;
    }
  }
  return PermissionDenied(std::string(message));
}

bool CanViewTable(const Instance& instance, const Request& request, std::string_view database,
                  std::string_view table) {
  return instance.permissions.Allowed(
      request.actor, auth::Action::kViewTable,
      auth::Resource::Table(std::string(database), std::string(table)));
}

std::vector<db::ForeignKey> ViewableForeignKeys(const Instance& instance, const Request& request,
                                                std::string_view database,
                                                const std::vector<db::ForeignKey>& keys) {
  std::vector<db::ForeignKey> viewable;
  for (const db::ForeignKey& fk : keys) {
    if (CanViewTable(instance, request, database, fk.other_table)) viewable.push_back(fk);
  }
  return viewable;
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

bool DefinitionViewable(const Instance& instance, const Request& request,
                        const ResolvedTable& resolved) {
  const db::TableInfo& table = *resolved.table;
  const std::string& database = resolved.db->name();
  if (!table.is_view()) {
    return ViewableForeignKeys(instance, request, database, table.outgoing).size() ==
           table.outgoing.size();
  }
  // The tables a view reads, as SQLite's authorizer reports them while compiling a read of it.
  Result<db::AnalyzedStatement> analyzed = db::AnalyzeStatement(
      *resolved.conn, "select * from " + sql::QuoteIdentifier(table.name), database);
  if (!analyzed.ok()) return false;
  for (const db::SqlOperation& op : analyzed->operations) {
    if (op.table && *op.table != table.name &&
        !CanViewTable(instance, request, database, *op.table)) {
      return false;
    }
  }
  return true;
}

}  // namespace almanac::api
