// Shared pieces of the write endpoints (Datasette 1.0a37's write API): what an endpoint returns
// (an immediate answer, or a write for the database's queue plus the answer to give after its
// COMMIT), a typed write prepared for the queue, request-body parsing, row keys from URLs, and
// rows to JSON. The operations themselves (parse, check, run) are in src/write/.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/context.h"
#include "api/json_output.h"
#include "core/result.h"
#include "db/database.h"
#include "db/rows.h"
#include "db/write_queue.h"
#include "format/json_value.h"
#include "format/json_writer.h"
#include "sql/write_sql.h"
#include "write/table_ops.h"

namespace almanac::api::write {

// The typed write operations (src/write/); `write::` here would name this namespace.
namespace ops = ::almanac::write;

// A finished answer: status, JSON body and extra headers.
struct Answer {
  int status = 200;
  Body body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A validated write: `work` runs on the database's writer thread inside its own savepoint;
// `respond` builds the success answer once the transaction has committed.
struct PendingWrite {
  db::Database* db = nullptr;
  db::WriteQueue::Work work;
  std::function<Answer()> respond;
};

// What a write endpoint hands back: an answer now (previews, GET pages) or a pending write.
// Errors before the write are the Result's Status.
struct Outcome {
  std::optional<Answer> answer;
  std::optional<PendingWrite> pending;

  static Outcome Now(Answer a) { return Outcome{std::move(a), std::nullopt}; }
  static Outcome Later(PendingWrite p) { return Outcome{std::nullopt, std::move(p)}; }
};

// A typed write ready for its database's queue: `work` runs the operation on the writer and
// fills `*result`, which holds the operation's result once the write has committed.
template <typename R>
struct Prepared {
  db::Database* db = nullptr;
  db::WriteQueue::Work work;
  std::shared_ptr<R> result = std::make_shared<R>();
};

// Prepares `run` (which calls a write::Run* function) for `db`'s queue.
template <typename R>
Prepared<R> PrepareWork(db::Database* db, std::function<Result<R>(db::WriteContext&)> run) {
  Prepared<R> prepared;
  prepared.db = db;
  prepared.work = [result = prepared.result, run = std::move(run)](db::WriteContext& ctx) {
    Result<R> done = run(ctx);
    if (!done.ok()) return done.status();
    *result = std::move(done).value();
    return Status::Ok();
  };
  return prepared;
}

// The pending write of an endpoint: `prepared`, answered by `respond` once it has committed.
template <typename R>
PendingWrite AnswerLater(Prepared<R> prepared, std::function<Answer(const R&)> respond) {
  PendingWrite pending;
  pending.db = prepared.db;
  pending.work = std::move(prepared.work);
  pending.respond = [result = prepared.result, respond = std::move(respond)]() {
    return respond(*result);
  };
  return pending;
}

// Runs a prepared write on the calling thread and waits (tests, tools).
template <typename R>
Result<R> RunPreparedToCompletion(Result<Prepared<R>> prepared) {
  if (!prepared.ok()) return prepared.status();
  ALM_RETURN_IF_ERROR(prepared->db->write_queue()->Run(std::move(prepared->work)));
  return *prepared->result;
}

// Runs an outcome to completion on the calling thread, waiting for its write (tests, tools).
Result<Answer> RunToCompletion(Result<Outcome> outcome);

// Headers added to every execute-write answer (Datasette's _block_framing).
std::vector<std::pair<std::string, std::string>> BlockFramingHeaders();

// The request body as JSON, whatever the Content-Type: "Invalid JSON: ..." when it is not.
Result<format::JsonValue> ParseBody(const Request& request);

// {"ok": true[, "rows": [...]]} with rows as objects.
Body OkRowsBody(const db::Rows* rows);
void WriteRowObjects(format::JsonWriter& w, const db::Rows& rows);

// http://host/<db>/<table> and its .json twin.
std::string TableUrl(const Request& request, const Urls& urls, std::string_view database,
                     std::string_view table, bool json);

}  // namespace almanac::api::write
