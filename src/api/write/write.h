// The write API endpoints (Datasette 1.0a37): each validates its request, checks permissions
// through auth::PermissionEngine, and returns either an immediate Answer or a PendingWrite for
// the database's WriteQueue. Names arrive tilde-decoded; `pks` is the raw URL segment. Each is
// thin glue: the body (ParseBody) through write::Parse*, write::Check*, then write::Run* on the
// writer and the answer as JSON. The Prepare* entry points take typed arguments instead (the
// HTML forms; tools), with the same checks, and hand back the typed result.
#pragma once

#include <string>

#include "api/context.h"
#include "api/write/common.h"
#include "write/create.h"
#include "write/drop.h"
#include "write/insert.h"
#include "write/row_write.h"

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

// Typed entry points: `args.table` names the table as a URL does (tilde-decoded). The database
// and table (and for update/delete the row) must exist, the actor needs the permissions, the
// database must be mutable and the arguments pass write::Validate*; the errors are the
// endpoints'. The result is ready once the prepared write has committed.
Result<Prepared<ops::InsertResult>> PrepareInsert(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::InsertArgs args);
Result<Prepared<ops::UpdateResult>> PrepareUpdate(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::UpdateArgs args);
Result<Prepared<ops::DeleteResult>> PrepareDelete(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::DeleteArgs args);
Result<Prepared<ops::CreateResult>> PrepareCreate(const Instance& instance,
                                                  const auth::MaybeActor& actor,
                                                  const std::string& database,
                                                  ops::CreateArgs args);
// Drops only with args.confirm (else the write fails with InvalidArgument).
Result<Prepared<ops::DropResult>> PrepareDrop(const Instance& instance,
                                              const auth::MaybeActor& actor,
                                              const std::string& database, ops::DropArgs args);

}  // namespace almanac::api::write
