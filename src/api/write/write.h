// The write API endpoints (Datasette 1.0a37): each validates its request, checks permissions
// through auth::PermissionEngine, and returns either an immediate Answer or a PendingWrite for
// the database's WriteQueue. Names arrive tilde-decoded; `pks` is the raw URL segment.
#pragma once

#include <string>

#include "api/context.h"
#include "api/write/common.h"

namespace almanac::api::write {

// POST /<db>/<table>/-/insert (upsert=false) and /-/upsert (upsert=true).
Result<Outcome> InsertRows(const Instance& instance, const Request& request,
                           const std::string& database, const std::string& table, bool upsert);
// POST /<db>/<table>/<pks>/-/update
Result<Outcome> UpdateRow(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table,
                          const std::string& pks);
// POST /<db>/<table>/<pks>/-/delete
Result<Outcome> DeleteRow(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table,
                          const std::string& pks);
// POST /<db>/-/create
Result<Outcome> CreateTable(const Instance& instance, const Request& request,
                            const std::string& database);
// POST /<db>/<table>/-/alter
Result<Outcome> AlterTable(const Instance& instance, const Request& request,
                           const std::string& database, const std::string& table);
// POST /<db>/<table>/-/drop ({} previews, {"confirm": true} drops)
Result<Outcome> DropTable(const Instance& instance, const Request& request,
                          const std::string& database, const std::string& table);
// POST /<db>/-/execute-write
Result<Outcome> ExecuteWrite(const Instance& instance, const Request& request,
                             const std::string& database);
// GET /<db>/-/foreign-key-targets
Result<Answer> ForeignKeyTargets(const Instance& instance, const Request& request,
                                 const std::string& database);
// GET /<db>/<table>/-/foreign-key-suggestions
Result<Answer> ForeignKeySuggestions(const Instance& instance, const Request& request,
                                     const std::string& database, const std::string& table);

}  // namespace almanac::api::write
