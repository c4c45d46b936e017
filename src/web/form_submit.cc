// Submitting the HTML write forms: the form fields become the JSON body the write API takes,
// the write goes through the same endpoint code (permissions, validation, the queued writer),
// and the browser is sent on with a 303 — or shown the form again with the error.
#include "api/permission_pages.h"
#include "api/write/write.h"
#include "core/url.h"
#include "ingest/tabular.h"
#include "web/form_routes.h"
#include "web/handler_util.h"

namespace almanac::web {
namespace {

using format::JsonValue;

Response SeeOther(std::string location) { return Response::Redirect(std::move(location), 303); }

// Form fields of a row: "c.<column>" values and "n.<column>" null boxes.
JsonValue RowFromForm(const api::RowFormPage& page, const QueryArgs& form, bool insert) {
  JsonValue row = JsonValue::MakeObject();
  for (const api::FormColumn& c : page.columns) {
    const std::string* value = nullptr;
    bool null = false;
    for (const auto& [k, v] : form) {
      if (k == ui::ValueField(c.name)) value = &v;
      if (k == ui::NullField(c.name)) null = true;
    }
    if (!insert && c.primary_key) continue;  // keys are not edited
    if (null) {
      row.Set(c.name, JsonValue());
    } else if (value && (!value->empty() || !insert)) {
      row.Set(c.name, JsonValue::String(*value));
    }
  }
  return row;
}

// Runs a write endpoint with `body` as its JSON; `done` turns success into the redirect and
// `failed` turns an error message into the page to show.
Response RunWrite(const RouteContext& ctx, const JsonValue& body,
                  const std::function<Result<api::write::Outcome>(const api::Request&)>& endpoint,
                  std::function<Response(const api::write::Answer&)> done,
                  std::function<Response(const std::string&)> failed) {
  api::Request request = ctx.request;
  request.body = format::ToJsonText(body);
  Result<api::write::Outcome> outcome = endpoint(request);
  if (!outcome.ok()) return failed(outcome.status().message());
  if (outcome->answer) {
    if (outcome->answer->status >= 400) return failed(outcome->answer->body.text);
    return done(*outcome->answer);
  }
  auto pending = std::make_shared<api::write::PendingWrite>(std::move(*outcome->pending));
  Response response;
  response.deferred = [pending, done, failed](std::function<void(Response)> reply) {
    pending->db->write_queue()->Submit(
        std::move(pending->work), [pending, done, failed, reply](const Status& status) {
          reply(status.ok() ? done(pending->respond()) : failed(status.message()));
        });
  };
  return response;
}

// The primary key path of the row an insert returned, when it can be read back.
std::string InsertedRowPath(const api::RowFormPage& page, const api::write::Answer& answer) {
  Result<JsonValue> body = format::ParseJson(answer.body.text);
  if (!body.ok() || page.use_rowid) return "";
  const JsonValue* rows = body->Find("rows");
  if (!rows || !rows->is_array() || rows->as_array().empty()) return "";
  const JsonValue& row = rows->as_array()[0];
  std::string path;
  for (const api::FormColumn& c : page.columns) {
    if (!c.primary_key) continue;
    const JsonValue* v = row.Find(c.name);
    if (!v) return "";
    std::string text = v->is_string() ? v->as_string() : format::ToJsonText(*v);
    path += (path.empty() ? "" : ",") + TildeEncode(text);
  }
  return path;
}

}  // namespace

Response SubmitRowForm(const RouteContext& ctx, const api::RowFormPage& page, auth::Action action) {
  QueryArgs form = api::ParseForm(ctx.request.body);
  std::string table_url = "/" + TildeEncode(page.database) + "/" + TildeEncode(page.table);
  std::string row_url = table_url + "/" + page.pks_path;
  auto shared_page = std::make_shared<api::RowFormPage>(page);
  auto request = std::make_shared<api::Request>(ctx.request);
  const ui::Renderer& ui = ctx.ui;
  const api::Instance& instance = ctx.instance;
  auto failed = [shared_page, request, &ui, &instance, form, action](const std::string& message) {
    ui::FormState state{message, form};
    ui::RenderContext html{instance, *request, ""};
    std::string body = action == auth::Action::kDeleteRow ? ui.Error(400, message, html)
                                                          : ui.RowForm(*shared_page, state, html);
    return Response::Html(400, std::move(body));
  };
  std::string db = page.database, table = page.table, pks = page.pks_path;
  if (action == auth::Action::kInsertRow) {
    JsonValue body = JsonValue::MakeObject({{"row", RowFromForm(page, form, true)}});
    return RunWrite(
        ctx, body,
        [&](const api::Request& r) {
          return api::write::InsertRows(instance, r, db, table, false);
        },
        [shared_page, table_url](const api::write::Answer& answer) {
          std::string path = InsertedRowPath(*shared_page, answer);
          return SeeOther(path.empty() ? table_url + "?_sort_desc=rowid" : table_url + "/" + path);
        },
        failed);
  }
  if (action == auth::Action::kUpdateRow) {
    JsonValue body = JsonValue::MakeObject({{"update", RowFromForm(page, form, false)}});
    return RunWrite(
        ctx, body,
        [&](const api::Request& r) { return api::write::UpdateRow(instance, r, db, table, pks); },
        [row_url](const api::write::Answer&) { return SeeOther(row_url); }, failed);
  }
  return RunWrite(
      ctx, JsonValue::MakeObject(),
      [&](const api::Request& r) { return api::write::DeleteRow(instance, r, db, table, pks); },
      [table_url](const api::write::Answer&) { return SeeOther(table_url); }, failed);
}

Response SubmitDrop(const RouteContext& ctx, const api::DropTablePage& page) {
  std::string db_url = "/" + TildeEncode(page.database);
  std::string db = page.database, table = page.table;
  const ui::Renderer& ui = ctx.ui;
  const api::Instance& instance = ctx.instance;
  auto request = std::make_shared<api::Request>(ctx.request);
  return RunWrite(
      ctx, JsonValue::MakeObject({{"confirm", JsonValue::Bool(true)}}),
      [&](const api::Request& r) { return api::write::DropTable(instance, r, db, table); },
      [db_url](const api::write::Answer&) { return SeeOther(db_url); },
      [&ui, &instance, request](const std::string& message) {
        return Response::Html(400, ui.Error(400, message, {instance, *request, ""}));
      });
}

Response SubmitCreateTable(const RouteContext& ctx, const std::string& database) {
  QueryArgs form = api::ParseForm(ctx.request.body);
  ui::CreateTableState state;
  std::string step;
  for (const auto& [k, v] : form) {
    if (k == "table") state.table_name = v;
    if (k == "pk") state.pk = v;
    if (k == "format") state.format = v;
    if (k == "data") state.text = v;
    if (k == "step") step = v;
  }
  auto show = [&](int status) {
    return Response::Html(status,
                          ctx.ui.CreateTable(database, state, {ctx.instance, ctx.request, ""}));
  };
  Result<ingest::Tabular> parsed =
      ingest::ParseTabular(state.text, ingest::FormatByName(state.format),
                           static_cast<size_t>(ctx.instance.settings.max_insert_rows));
  if (!parsed.ok()) {
    state.error = parsed.status().message();
    return show(400);
  }
  state.preview = *parsed;
  if (step != "create") return show(200);
  if (state.table_name.empty()) {
    state.error = "The table needs a name";
    return show(400);
  }
  JsonValue body = JsonValue::MakeObject(
      {{"table", JsonValue::String(state.table_name)}, {"rows", parsed->RowsJson()}});
  if (!state.pk.empty()) body.Set("pk", JsonValue::String(state.pk));
  auto shared_state = std::make_shared<ui::CreateTableState>(state);
  auto request = std::make_shared<api::Request>(ctx.request);
  const ui::Renderer& ui = ctx.ui;
  const api::Instance& instance = ctx.instance;
  std::string table_url = "/" + TildeEncode(database) + "/" + TildeEncode(state.table_name);
  return RunWrite(
      ctx, body,
      [&](const api::Request& r) { return api::write::CreateTable(instance, r, database); },
      [table_url](const api::write::Answer&) { return SeeOther(table_url); },
      [shared_state, request, &ui, &instance, database](const std::string& message) {
        ui::CreateTableState again = *shared_state;
        again.error = message;
        return Response::Html(400, ui.CreateTable(database, again, {instance, *request, ""}));
      });
}

}  // namespace almanac::web
