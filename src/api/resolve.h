// Finding what a URL names: the database (by its route name), this thread's read connection
// to it, its current schema, and a table or view in it. Names arrive already tilde-decoded.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "db/database.h"
#include "db/execute.h"
#include "db/schema.h"

namespace almanac::api {

struct ResolvedDatabase {
  db::Database* db = nullptr;
  db::Connection* conn = nullptr;
  std::shared_ptr<const db::Schema> schema;
};

struct ResolvedTable : ResolvedDatabase {
  const db::TableInfo* table = nullptr;
};

// NotFound about ErrorSubject::kDatabase when unknown.
Result<ResolvedDatabase> ResolveDatabase(const Instance& instance, std::string_view name);
// NotFound about ErrorSubject::kTable when the database has no such table or view.
Result<ResolvedTable> ResolveTable(const Instance& instance, std::string_view database,
                                   std::string_view table);

// What /<db>/<name> names, in Datasette's order: a table or view first, else a canned query.
enum class PathTarget { kNoDatabase, kTable, kCannedQuery, kNothing };
Result<PathTarget> ResolvePathTarget(const Instance& instance, std::string_view database,
                                     std::string_view name);

// Limits for a query run on behalf of `request`: max_returned_rows and sql_time_limit_ms,
// lowered (never raised) by ?_timelimit=.
db::Limits QueryLimits(const Instance& instance, const Request& request);

// True when anonymous users may not do `action` on `resource` (Datasette's "private" flag, for
// resources the actor can see).
bool IsPrivate(const Instance& instance, auth::Action action, const auth::Resource& resource);
// Hosting mode: whether anything of `database` is for the request's actor to see — the
// database itself, or a table or canned query in it (a public table's database need not be
// viewable). One who may see nothing of it is answered as if it did not exist.
bool MaySeeDatabase(const Instance& instance, const Request& request, const std::string& database);

// The permission checks of the table and row pages (view-table) and of the query page
// (execute-sql), without building either: for answering a conditional request before any of
// the page's SQL runs. NotFound when the database or table is unknown.
Status CheckTablePermission(const Instance& instance, const Request& request,
                            std::string_view database, std::string_view table);
Status CheckQueryPermission(const Instance& instance, const Request& request,
                            std::string_view database);

// PermissionDenied unless the request's actor may do `action` on `resource`. With
// Instance::hidden_means_absent, viewing a database, table or query the actor may not view is
// NotFound instead, in the words used for one that does not exist.
Status Require(const Instance& instance, const Request& request, auth::Action action,
               const auth::Resource& resource, std::string_view message);

// True when the request's actor may view `table` (a table, view or canned query) of `database`.
bool CanViewTable(const Instance& instance, const Request& request, std::string_view database,
                  std::string_view table);
// The foreign keys among `keys` whose other table the request's actor may view: what a page
// may show about a table's relations without naming a table the actor cannot see.
std::vector<db::ForeignKey> ViewableForeignKeys(const Instance& instance, const Request& request,
                                                std::string_view database,
                                                const std::vector<db::ForeignKey>& keys);

// True when the actor may view every table that `resolved`'s definition (its CREATE statement,
// with its indexes) names: the tables its foreign keys point at, or those a view reads.
bool DefinitionViewable(const Instance& instance, const Request& request,
                        const ResolvedTable& resolved);

}  // namespace almanac::api
