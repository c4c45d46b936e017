// Writable canned queries (Datasette's QueryView.post): POST /<db>/<query> for a config query
// with `write: true`. The parameters come from the POST body (a form, or a JSON object whose
// values are turned into strings as Python's str() does); magic parameters (:_actor_id, ...)
// come from the request. The statement runs through the database's WriteQueue, like every
// other write. Config queries are trusted: view-query on the query is the only permission.
// The outcome carries Datasette's message (on_success_message_sql, on_success_message, "Query
// executed, N rows affected", or on_error_message / the SQL error) and redirect; the caller
// answers with JSON or with a redirect that carries the message.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/context.h"
#include "db/database.h"
#include "db/write_queue.h"

namespace almanac::api::write {

// What a writable canned query reports once its write has finished.
struct CannedWriteResult {
  bool ok = false;
  std::string message;
  bool message_is_error = false;  // Datasette's ERROR message type (else INFO)
  std::optional<std::string> redirect;
};

// A validated writable canned query: queue `work`, then call `finish` with its Status.
struct CannedWrite {
  db::Database* db = nullptr;
  db::WriteQueue::Work work;
  std::function<CannedWriteResult(const Status&)> finish;
};

// NotFound "Table not found" when `name` is no canned query of `database`; MethodNotAllowed
// when it is not writable; PermissionDenied without view-query, or for an immutable database.
Result<CannedWrite> PrepareCannedWrite(const Instance& instance, const Request& request,
                                       const std::string& database, const std::string& name);

// Whether the caller asked for a JSON answer: Accept: application/json, ?_json= or a _json
// field in the body (then errors before the write are JSON too).
bool WantsJsonAnswer(const Request& request);

// Runs a prepared canned write on the calling thread and waits (tests, tools).
CannedWriteResult RunCannedWriteToCompletion(CannedWrite write);

}  // namespace almanac::api::write
