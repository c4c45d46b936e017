// POST /<db>/<query> for a writable canned query (Datasette's QueryView.post). The write is
// queued to the database's writer and the response deferred until it has committed. JSON
// callers (Accept: application/json, ?_json=1, a _json field, or the .json URL) get
// {"ok": true, "message", "redirect"} or a 400 error body with "redirect"; form posts get a
// 302 to on_success_redirect / on_error_redirect (else back to the query) with the message
// in Datasette's signed ds_messages cookie.
#include <memory>

#include "api/write/canned_write.h"
#include "auth/session.h"
#include "auth/signer.h"
#include "core/url.h"
#include "format/json_writer.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {
namespace {

using api::write::CannedWriteResult;

constexpr int kInfo = 1;   // datasette.INFO
constexpr int kError = 3;  // datasette.ERROR

Response JsonResult(const CannedWriteResult& r) {
  std::string body;
  format::JsonWriter w(body);
  w.BeginObject();
  w.MemberBool("ok", r.ok);
  if (r.ok) {
    w.Member("message", r.message);
  } else {
    w.Member("error", r.message);
    w.Key("errors");
    w.BeginArray();
    w.String(r.message);
    w.EndArray();
    w.Member("status", int64_t{400});
  }
  if (r.redirect) {
    w.Member("redirect", *r.redirect);
  } else {
    w.MemberNull("redirect");
  }
  w.EndObject();
  return Response::Json(r.ok ? 200 : 400, std::move(body));
}

Response RedirectResult(const CannedWriteResult& r, const api::Instance& instance,
                        const std::string& path) {
  Response response = Response::Redirect(r.redirect.value_or(path));
  if (instance.authenticator) {
    format::JsonValue message =
        format::JsonValue::MakeArray({format::JsonValue::String(r.message),
                                      format::JsonValue::Int(r.message_is_error ? kError : kInfo)});
    std::string cookie = auth::Signer(instance.authenticator->secret(), "messages")
                             .Dumps(format::JsonValue::MakeArray({std::move(message)}));
    response.AddHeader("Set-Cookie", "ds_messages=" + cookie + "; Path=/; SameSite=lax");
  }
  return response;
}

}  // namespace

Response HandleCannedWrite(const RouteContext& ctx, const std::string& database,
                           const std::string& name) {
  Result<api::write::CannedWrite> write =
      api::write::PrepareCannedWrite(ctx.instance, ctx.request, database, name);
  bool json = ctx.route.format == "json" || api::write::WantsJsonAnswer(ctx.request);
  if (!write.ok()) {
    return ErrorResponse(write.status(), json ? ErrorFormat::kJson : FormatForPath(ctx.request));
  }
  auto shared = std::make_shared<api::write::CannedWrite>(std::move(*write));
  const api::Instance& instance = ctx.instance;
  std::string path = ctx.request.path;
  Response response;
  response.deferred = [shared, json, &instance, path](std::function<void(Response)> done) {
    shared->db->write_queue()->Submit(
        std::move(shared->work), [shared, json, &instance, path, done](const Status& status) {
          CannedWriteResult result = shared->finish(status);
          done(json ? JsonResult(result) : RedirectResult(result, instance, path));
        });
  };
  return response;
}

}  // namespace almanac::web
