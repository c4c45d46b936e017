// The write API's routes. POSTs become a PendingWrite that is queued to the database's writer;
// the response is deferred until the write has committed (or failed), so no thread waits.
// (The route table answers other methods with Datasette's 405, and OPTIONS with "ok".)
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "api/write/write.h"
#include "core/url.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {
namespace {

using api::write::Answer;
using api::write::Outcome;
using api::write::PendingWrite;

using http::Headers;

Response FromAnswer(Answer answer) {
  Response r = FromBody(std::move(answer.body));
  r.status = answer.status;
  for (auto& [name, value] : answer.headers) r.AddHeader(std::move(name), std::move(value));
  return r;
}

Response JsonError(const Status& status, const Headers& headers = {}) {
  Response r = ErrorResponse(status, ErrorFormat::kJson);
  for (const auto& [name, value] : headers) r.AddHeader(name, value);
  return r;
}

Response Deferred(PendingWrite pending, Headers error_headers) {
  auto shared = std::make_shared<PendingWrite>(std::move(pending));
  Response response;
  response.deferred = [shared, error_headers](std::function<void(Response)> done) {
    shared->db->write_queue()->Submit(
        std::move(shared->work), [shared, error_headers, done](const Status& status) {
          Response out;
          try {
            out = status.ok() ? FromAnswer(shared->respond()) : JsonError(status, error_headers);
          } catch (const std::exception& e) {
            spdlog::error("write response failed: {}", e.what());
            out = JsonError(Internal("Internal server error"));
          }
          done(std::move(out));
        });
  };
  return response;
}

Response FromOutcome(Result<Outcome> outcome, const Headers& error_headers = {}) {
  if (!outcome.ok()) return JsonError(outcome.status(), error_headers);
  if (outcome->answer) return FromAnswer(std::move(*outcome->answer));
  return Deferred(std::move(*outcome->pending), error_headers);
}

Response FromResult(Result<Answer> answer) {
  if (!answer.ok()) return JsonError(answer.status());
  return FromAnswer(std::move(*answer));
}

// A missing database is Datasette's HTML 404 page on the database-level write routes.
std::optional<Response> MissingDatabase(const RouteContext& ctx, const std::string& db) {
  if (ctx.instance.registry.Find(db)) return std::nullopt;
  return ErrorResponse(NotFound("Database not found"), ErrorFormat::kHtml);
}

struct Names {
  std::string db;
  std::string table;
};

Names Decoded(const RouteContext& ctx) {
  return {TildeDecode(ctx.route.database), TildeDecode(ctx.route.table)};
}

}  // namespace

Response HandleInsert(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromOutcome(api::write::InsertRows(ctx.instance, ctx.request, n.db, n.table, false));
}

Response HandleUpsert(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromOutcome(api::write::InsertRows(ctx.instance, ctx.request, n.db, n.table, true));
}

Response HandleAlter(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromOutcome(api::write::AlterTable(ctx.instance, ctx.request, n.db, n.table));
}

Response HandleDrop(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromOutcome(api::write::DropTable(ctx.instance, ctx.request, n.db, n.table));
}

Response HandleRowUpdate(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromOutcome(
      api::write::UpdateRow(ctx.instance, ctx.request, n.db, n.table, ctx.route.pks));
}

Response HandleRowDelete(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromOutcome(
      api::write::DeleteRow(ctx.instance, ctx.request, n.db, n.table, ctx.route.pks));
}

Response HandleCreate(const RouteContext& ctx) {
  std::string db = TildeDecode(ctx.route.database);
  if (auto missing = MissingDatabase(ctx, db)) return std::move(*missing);
  return FromOutcome(api::write::CreateTable(ctx.instance, ctx.request, db));
}

Response HandleExecuteWrite(const RouteContext& ctx) {
  std::string db = TildeDecode(ctx.route.database);
  if (auto missing = MissingDatabase(ctx, db)) return std::move(*missing);
  return FromOutcome(api::write::ExecuteWrite(ctx.instance, ctx.request, db),
                     api::write::BlockFramingHeaders());
}

Response HandleForeignKeyTargets(const RouteContext& ctx) {
  std::string db = TildeDecode(ctx.route.database);
  if (auto missing = MissingDatabase(ctx, db)) return std::move(*missing);
  return FromResult(api::write::ForeignKeyTargets(ctx.instance, ctx.request, db));
}

Response HandleForeignKeySuggestions(const RouteContext& ctx) {
  Names n = Decoded(ctx);
  return FromResult(api::write::ForeignKeySuggestions(ctx.instance, ctx.request, n.db, n.table));
}

}  // namespace almanac::web
