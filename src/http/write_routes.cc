// The write API's routes. POSTs become a PendingWrite that is queued to the database's writer;
// the response is deferred until the write has committed (or failed), so no SQL thread waits.
// GET (and other methods) on a POST-only endpoint is Datasette's 405 "Method not allowed";
// OPTIONS answers "ok" so that CORS preflights of cross-origin writes succeed.
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "api/write/write.h"
#include "core/url.h"
#include "http/handler_util.h"
#include "http/routes.h"

namespace almanac::http {
namespace {

using api::write::Answer;
using api::write::Outcome;
using api::write::PendingWrite;

using Headers = std::vector<std::pair<std::string, std::string>>;

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

std::optional<Response> TableWrite(const RouteContext& ctx, bool post) {
  const api::Instance& in = ctx.instance;
  const api::Request& req = ctx.request;
  const std::string& name = ctx.route.name;
  std::string db = TildeDecode(ctx.route.database);
  std::string table = TildeDecode(ctx.route.table);
  if (name == "foreign-key-suggestions") {
    if (post) return MethodNotAllowed(ctx.request);
    return FromResult(api::write::ForeignKeySuggestions(in, req, db, table));
  }
  if (name != "insert" && name != "upsert" && name != "alter" && name != "drop") {
    return std::nullopt;
  }
  if (!post) return MethodNotAllowed(ctx.request);
  if (name == "insert" || name == "upsert") {
    return FromOutcome(api::write::InsertRows(in, req, db, table, name == "upsert"));
  }
  if (name == "alter") return FromOutcome(api::write::AlterTable(in, req, db, table));
  return FromOutcome(api::write::DropTable(in, req, db, table));
}

std::optional<Response> DatabaseWrite(const RouteContext& ctx, bool post) {
  const std::string& name = ctx.route.name;
  if (name != "create" && name != "execute-write" && name != "foreign-key-targets") {
    return std::nullopt;
  }
  bool get_only = name == "foreign-key-targets";
  if (post == get_only) return MethodNotAllowed(ctx.request);
  std::string db = TildeDecode(ctx.route.database);
  // A missing database is Datasette's HTML 404 page on these routes.
  if (!ctx.instance.registry.Find(db)) {
    return ErrorResponse(NotFound("Database not found"), ErrorFormat::kHtml);
  }
  if (name == "create") return FromOutcome(api::write::CreateTable(ctx.instance, ctx.request, db));
  if (name == "execute-write") {
    return FromOutcome(api::write::ExecuteWrite(ctx.instance, ctx.request, db),
                       api::write::BlockFramingHeaders());
  }
  return FromResult(api::write::ForeignKeyTargets(ctx.instance, ctx.request, db));
}

}  // namespace

std::optional<Response> HandleWrite(const RouteContext& ctx) {
  bool post = ctx.request.method == "POST";
  switch (ctx.route.kind) {
    case RouteKind::kTableAction:
      return TableWrite(ctx, post);
    case RouteKind::kDatabaseAction:
      return DatabaseWrite(ctx, post);
    case RouteKind::kRowAction: {
      if (!post) return MethodNotAllowed(ctx.request);
      std::string db = TildeDecode(ctx.route.database);
      std::string table = TildeDecode(ctx.route.table);
      const std::string& pks = ctx.route.pks;
      if (ctx.route.name == "update") {
        return FromOutcome(api::write::UpdateRow(ctx.instance, ctx.request, db, table, pks));
      }
      return FromOutcome(api::write::DeleteRow(ctx.instance, ctx.request, db, table, pks));
    }
    default:
      return std::nullopt;
  }
}

}  // namespace almanac::http
