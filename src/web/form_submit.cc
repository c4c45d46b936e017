// Submitting the HTML write forms: the form fields become the typed arguments of the write
// (write/), which goes through the same checks as the write API (api::write::Prepare*: the
// permissions, validation, the queued writer), and the browser is sent on with a 303 — or shown
// the form again with the error.
#include "api/permission_pages.h"
#include "api/write/write.h"
#include "core/url.h"
#include "format/json_writer.h"
#include "ingest/tabular.h"
#include "web/form_routes.h"
#include "web/handler_util.h"
#include "write/cells.h"

namespace almanac::web {
namespace {

Response SeeOther(std::string location) { return Response::Redirect(std::move(location), 303); }

// Form fields of a row: "c.<column>" values and "n.<column>" null boxes.
write::Row RowFromForm(const api::RowFormPage& page, const QueryArgs& form, bool insert) {
  write::Row row;
  for (const api::FormColumn& c : page.columns) {
    const std::string* value = nullptr;
    bool null = false;
    for (const auto& [k, v] : form) {
      if (k == ui::ValueField(c.name)) value = &v;
      if (k == ui::NullField(c.name)) null = true;
    }
    if (!insert && c.primary_key) continue;  // keys are not edited
    if (null) {
      row.Add(c.name, Value::Null());
    } else if (value && (!value->empty() || !insert)) {
      row.Add(c.name, Value::Text(*value));
    }
  }
  return row;
}

// Queues a prepared write; `done` turns its result into the redirect and `failed` turns an
// error message into the page to show.
template <typename R>
Response RunWrite(Result<api::write::Prepared<R>> prepared, std::function<Response(const R&)> done,
                  std::function<Response(const std::string&)> failed) {
  if (!prepared.ok()) return failed(prepared.status().message());
  auto shared = std::make_shared<api::write::Prepared<R>>(std::move(*prepared));
  Response response;
  response.deferred = [shared, done, failed](std::function<void(Response)> reply) {
    shared->db->write_queue()->Submit(
        std::move(shared->work), [shared, done, failed, reply](const Status& status) {
          reply(status.ok() ? done(*shared->result) : failed(status.message()));
        });
  };
  return response;
}

// A key value as the row's URL shows it: text as itself, anything else as its JSON.
std::string KeyText(const Value& v) {
  if (v.type() == Value::Type::kText) return v.text();
  std::string text;
  format::JsonWriter w(text);
  w.WriteValue(v);
  return text;
}

// The primary key path of the row an insert wrote, when it was read back.
std::string InsertedRowPath(const api::RowFormPage& page, const write::InsertResult& result) {
  const db::Rows& rows = result.rows;
  if (page.use_rowid || rows.empty()) return "";
  std::vector<std::string> key;
  for (const api::FormColumn& c : page.columns) {
    if (!c.primary_key) continue;
    int index = rows.ColumnIndex(c.name);
    if (index < 0) return "";
    key.push_back(KeyText(rows.at(0, index)));
  }
  return EncodeRowPath(key);
}

}  // namespace

Response SubmitRowForm(const RouteContext& ctx, const api::RowFormPage& page, auth::Action action) {
  QueryArgs form = api::ParseForm(ctx.request.body);
  api::Urls urls = ctx.instance.urls();
  std::string table_url = urls.Table(page.database, page.table);
  std::string row_url = urls.Row(page.database, page.table, page.pks_path);
  auto shared_page = std::make_shared<api::RowFormPage>(page);
  auto request = std::make_shared<api::Request>(ctx.request);
  const ui::Renderer& ui = ctx.ui;
  const api::Instance& instance = ctx.instance;
  const auth::MaybeActor& actor = ctx.request.actor;
  auto failed = [shared_page, request, &ui, &instance, form, action](const std::string& message) {
    ui::FormState state{message, form};
    ui::RenderContext html{instance, *request, ""};
    std::string body = action == auth::Action::kDeleteRow ? ui.Error(400, message, html)
                                                          : ui.RowForm(*shared_page, state, html);
    return Response::Html(400, std::move(body));
  };
  if (action == auth::Action::kInsertRow) {
    write::InsertArgs args;
    args.table = page.table;
    args.rows.push_back(RowFromForm(page, form, true));
    args.return_rows = true;
    return RunWrite<write::InsertResult>(
        api::write::PrepareInsert(instance, actor, page.database, std::move(args)),
        [shared_page, table_url](const write::InsertResult& result) {
          std::string path = InsertedRowPath(*shared_page, result);
          return SeeOther(path.empty() ? table_url + "?_sort_desc=rowid" : table_url + "/" + path);
        },
        failed);
  }
  std::vector<std::string> key = DecodeRowPath(page.pks_path);
  if (action == auth::Action::kUpdateRow) {
    write::UpdateArgs args;
    args.table = page.table;
    args.key = std::move(key);
    args.update = RowFromForm(page, form, false);
    return RunWrite<write::UpdateResult>(
        api::write::PrepareUpdate(instance, actor, page.database, std::move(args)),
        [row_url](const write::UpdateResult&) { return SeeOther(row_url); }, failed);
  }
  return RunWrite<write::DeleteResult>(
      api::write::PrepareDelete(instance, actor, page.database,
                                write::DeleteArgs{page.table, std::move(key)}),
      [table_url](const write::DeleteResult&) { return SeeOther(table_url); }, failed);
}

Response SubmitDrop(const RouteContext& ctx, const api::DropTablePage& page) {
  std::string db_url = ctx.instance.urls().Database(page.database);
  const ui::Renderer& ui = ctx.ui;
  const api::Instance& instance = ctx.instance;
  auto request = std::make_shared<api::Request>(ctx.request);
  return RunWrite<write::DropResult>(
      api::write::PrepareDrop(instance, ctx.request.actor, page.database,
                              write::DropArgs{page.table, true}),
      [db_url](const write::DropResult&) { return SeeOther(db_url); },
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
  write::CreateArgs args;
  args.table = state.table_name;
  if (!state.pk.empty()) args.pks.push_back(state.pk);
  // A cell that is no value (a malformed {"$base64": ...} object) is reported once the
  // permission and table checks have passed, as the write API reports it.
  Status cell_error;
  for (const std::vector<format::JsonValue>& cells : parsed->rows) {
    write::Row row;
    for (size_t c = 0; c < parsed->columns.size(); ++c) {
      Result<Value> value = write::CellValue(cells[c]);
      if (!value.ok() && cell_error.ok()) cell_error = value.status();
      row.Add(parsed->columns[c], value.ok() ? std::move(value).value() : Value::Null());
    }
    args.rows.push_back(std::move(row));
  }
  Result<api::write::Prepared<write::CreateResult>> prepared =
      api::write::PrepareCreate(ctx.instance, ctx.request.actor, database, std::move(args));
  if (prepared.ok() && !cell_error.ok()) prepared = cell_error;
  auto shared_state = std::make_shared<ui::CreateTableState>(state);
  auto request = std::make_shared<api::Request>(ctx.request);
  const ui::Renderer& ui = ctx.ui;
  const api::Instance& instance = ctx.instance;
  std::string table_url = ctx.instance.urls().Table(database, state.table_name);
  return RunWrite<write::CreateResult>(
      std::move(prepared), [table_url](const write::CreateResult&) { return SeeOther(table_url); },
      [shared_state, request, &ui, &instance, database](const std::string& message) {
        ui::CreateTableState again = *shared_state;
        again.error = message;
        return Response::Html(400, ui.CreateTable(database, again, {instance, *request, ""}));
      });
}

}  // namespace almanac::web
