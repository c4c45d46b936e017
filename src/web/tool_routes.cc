// The tool endpoints beside the data pages: the API explorer, pattern portfolio, allow-block and
// message debuggers, the jump menu's search, table autocomplete, the query-parameter helper,
// and the instance-wide query list.
#include <algorithm>

#include "api/canned_queries.h"
#include "api/lookup.h"
#include "api/permission_pages.h"
#include "api/resolve.h"
#include "api/special.h"
#include "auth/rule_sources.h"
#include "auth/signer.h"
#include "core/url.h"
#include "sql/query.h"
#include "ui/tool_pages.h"
#include "web/handler_util.h"
#include "web/handlers.h"

namespace almanac::web {
namespace {

using format::JsonValue;

constexpr std::string_view kUnstableApiMessage =
    "This API is not part of Datasette's stable interface and may change at any time";

ui::RenderContext NoTwin(const RouteContext& ctx) { return {ctx.instance, ctx.request, ""}; }

Status RequireViewInstance(const RouteContext& ctx) {
  return api::Require(ctx.instance, ctx.request, auth::Action::kViewInstance,
                      auth::Resource::Instance(), "view-instance");
}

Response Page(const RouteContext& ctx, const ui::HtmlPage& page) {
  return Response::Html(200, ctx.ui.Wrap(page, NoTwin(ctx)));
}

// Datasette's _block_framing: JSON helpers that must not be framed by another site.
Response BlockFraming(Response response) {
  response.AddHeader("Content-Security-Policy", "frame-ancestors 'none'");
  response.AddHeader("X-Frame-Options", "DENY");
  return response;
}

// Python's json.dumps(value, indent=4) is what Datasette shows back; ours is indented too.
std::string Pretty(const JsonValue& value) { return ui::PrettyJson(value); }

}  // namespace

// Open to every actor, as Datasette's; it lists only what the actor may see.
Response HandleApiExplorer(const RouteContext& ctx) {
  return Page(ctx, ui::RenderApiExplorer(ctx.instance.urls(),
                                         api::ViewableDatabases(ctx.instance, ctx.request.actor)));
}

Response HandlePatterns(const RouteContext& ctx) {
  if (Status s = RequireViewInstance(ctx); !s.ok()) return ErrorResponse(s, ErrorFormat::kHtml);
  return Page(ctx, ui::RenderPatterns());
}

Response HandleAllowDebug(const RouteContext& ctx) {
  ui::AllowDebugModel model;
  auto input = [&](const char* name, const char* fallback, const char* what,
                   std::string& shown) -> std::optional<JsonValue> {
    const std::string* arg = ctx.request.Arg(name);
    shown = arg && !arg->empty() ? *arg : fallback;
    Result<JsonValue> parsed = format::ParseJson(shown);
    if (!parsed.ok()) {
      if (!model.error.empty()) model.error += "\n\n";
      model.error += std::string(what) + " JSON error: " + parsed.status().message();
      return std::nullopt;
    }
    shown = Pretty(*parsed);
    return std::move(parsed).value();
  };
  std::optional<JsonValue> actor = input("actor", "{\"id\": \"root\"}", "Actor", model.actor_input);
  std::optional<JsonValue> allow = input("allow", "{\"id\": \"*\"}", "Allow", model.allow_input);
  if (actor && allow) {
    auth::MaybeActor subject;
    if (!actor->is_null()) subject = auth::Actor{*actor};
    model.allowed = auth::ActorMatchesAllow(subject, &*allow);
  }
  return Page(ctx, ui::RenderAllowDebug(model, ctx.instance.urls()));
}

// GET: a form; POST: sets a flash message (ds_messages) and redirects to the instance page.
Response HandleMessages(const RouteContext& ctx) {
  if (Status s = RequireViewInstance(ctx); !s.ok()) return ErrorResponse(s, ErrorFormat::kHtml);
  if (ctx.request.method != "POST") return Page(ctx, ui::RenderMessagesDebug(ctx.instance.urls()));
  std::string message;
  std::string type = "INFO";
  for (const auto& [key, value] : api::ParseForm(ctx.request.body)) {
    if (key == "message") message = value;
    if (key == "message_type" && !value.empty()) type = value;
  }
  // datasette.INFO, WARNING, ERROR
  std::vector<int> levels;
  if (type == "INFO") levels = {1};
  if (type == "WARNING") levels = {2};
  if (type == "ERROR") levels = {3};
  if (type == "all") levels = {1, 2, 3};
  if (levels.empty()) {
    return ErrorResponse(InvalidArgument("message_type must be INFO, WARNING, ERROR or all"),
                         ErrorFormat::kHtml);
  }
  Response response = Response::Redirect(ctx.instance.urls().Instance());
  if (ctx.instance.authenticator) {
    JsonValue::Array messages;
    for (int level : levels) {
      messages.push_back(JsonValue::MakeArray({JsonValue::String(message), JsonValue::Int(level)}));
    }
    std::string cookie = auth::Signer(ctx.instance.authenticator->secret(), "messages")
                             .Dumps(JsonValue::MakeArray(std::move(messages)));
    response.AddHeader("Set-Cookie", "ds_messages=" + cookie + "; Path=/; SameSite=lax");
  }
  return response;
}

Response HandleJump(const RouteContext& ctx) {
  return Response::Json(200, format::ToJsonText(api::JumpMatches(ctx.instance, ctx.request)));
}

Response HandleGlobalQueries(const RouteContext& ctx) {
  bool json = IsJson(ctx.route.format);
  Result<api::SpecialPage> page = api::GlobalQueryListPage(ctx.instance, ctx.request, !json);
  if (!page.ok())
    return ErrorResponse(page.status(), json ? ErrorFormat::kJson : ErrorFormat::kHtml);
  if (json) return Response::Json(200, format::ToJsonText(page->data));
  return Response::Html(200, ctx.ui.Special(*page, ctx.Html()));
}

// /<db>/-/query/parameters?sql=: the named parameters of a SQL text (JSON only).
Response HandleQueryParameters(const RouteContext& ctx) {
  const api::Instance& in = ctx.instance;
  Result<api::ResolvedDatabase> resolved =
      api::ResolveDatabase(in, TildeDecode(ctx.route.database));
  if (!resolved.ok()) return NotFoundResponse(ctx.request, resolved.status());
  if (!in.permissions.Allowed(ctx.request.actor, auth::Action::kExecuteSql,
                              auth::Resource::Database(resolved->db->name()))) {
    return BlockFraming(
        ErrorResponse(PermissionDenied("Permission denied: need execute-sql"), ErrorFormat::kJson));
  }
  std::vector<std::string> invalid;
  for (const auto& [key, value] : ctx.request.args) {
    if (key != "sql" && std::find(invalid.begin(), invalid.end(), key) == invalid.end()) {
      invalid.push_back(key);
    }
  }
  if (!invalid.empty()) {
    std::sort(invalid.begin(), invalid.end());
    std::string keys;
    for (const std::string& key : invalid) keys += (keys.empty() ? "" : ", ") + key;
    return BlockFraming(
        ErrorResponse(InvalidArgument("Invalid keys: " + keys), ErrorFormat::kJson));
  }
  const std::string* sql = ctx.request.Arg("sql");
  JsonValue::Array parameters;
  for (const std::string& name : sql::NamedParameters(sql ? *sql : "")) {
    if (name.starts_with("_")) {
      return BlockFraming(
          ErrorResponse(InvalidArgument("Magic parameters are not allowed"), ErrorFormat::kJson));
    }
    JsonValue value = JsonValue::String(name);
    if (std::find(parameters.begin(), parameters.end(), value) == parameters.end()) {
      parameters.push_back(std::move(value));
    }
  }
  JsonValue data =
      JsonValue::MakeObject({{"ok", JsonValue::Bool(true)},
                             {"unstable", JsonValue::String(std::string(kUnstableApiMessage))},
                             {"parameters", JsonValue::MakeArray(std::move(parameters))}});
  return BlockFraming(Response::Json(200, format::ToJsonText(data)));
}

Response HandleTableAutocomplete(const RouteContext& ctx) {
  Result<JsonValue> rows = api::TableAutocomplete(
      ctx.instance, ctx.request, TildeDecode(ctx.route.database), TildeDecode(ctx.route.table));
  if (!rows.ok()) {
    if (rows.status().code() == ErrorCode::kNotFound) {
      return NotFoundResponse(ctx.request, rows.status());
    }
    return ErrorResponse(rows.status(), ErrorFormat::kJson);
  }
  return Response::Json(200, format::ToJsonText(*rows));
}

}  // namespace almanac::web
