// The HTML write forms: GET shows a form or a confirmation page, POST submits it through the
// write API and answers with a redirect (303) to the page that shows the result, or with the
// form again and the error. Almanac's own URLs (the JSON write API keeps Datasette's):
//   /<db>/<table>/-/new-row              insert a row
//   /<db>/<table>/<pks>/-/edit           edit a row
//   /<db>/<table>/<pks>/-/confirm-delete delete a row
//   /<db>/<table>/-/confirm-drop         drop a table
//   /<db>/-/create-table                 create a table from pasted CSV/TSV/JSON
#include "web/form_routes.h"

#include "core/url.h"
#include "web/handler_util.h"

namespace almanac::web {
namespace {

// Forms have no JSON twin.
ui::RenderContext NoTwin(const RouteContext& ctx) { return {ctx.instance, ctx.request, ""}; }

Response FormPage(int status, std::string html) {
  Response response = Response::Html(status, std::move(html));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

template <typename Page>
std::optional<Response> Failed(const Result<Page>& page) {
  if (page.ok()) return std::nullopt;
  return ErrorResponse(page.status(), ErrorFormat::kHtml);
}

// The edit or delete form of one row: GET shows it, POST submits it.
Response RowForm(const RouteContext& ctx, auth::Action action) {
  Result<api::RowFormPage> page =
      api::BuildRowFormPage(ctx.instance, ctx.request, TildeDecode(ctx.route.database),
                            TildeDecode(ctx.route.table), ctx.route.pks, action);
  if (auto failed = Failed(page)) return std::move(*failed);
  if (ctx.request.method == "POST") return SubmitRowForm(ctx, *page, action);
  if (action == auth::Action::kUpdateRow) {
    return FormPage(200, ctx.ui.RowForm(*page, {}, NoTwin(ctx)));
  }
  return FormPage(200, ctx.ui.ConfirmDeleteRow(*page, NoTwin(ctx)));
}

}  // namespace

Response HandleEditRowForm(const RouteContext& ctx) {
  return RowForm(ctx, auth::Action::kUpdateRow);
}

Response HandleDeleteRowForm(const RouteContext& ctx) {
  return RowForm(ctx, auth::Action::kDeleteRow);
}

Response HandleNewRowForm(const RouteContext& ctx) {
  Result<api::RowFormPage> page =
      api::BuildRowFormPage(ctx.instance, ctx.request, TildeDecode(ctx.route.database),
                            TildeDecode(ctx.route.table), "", auth::Action::kInsertRow);
  if (auto failed = Failed(page)) return std::move(*failed);
  if (ctx.request.method == "POST") return SubmitRowForm(ctx, *page, auth::Action::kInsertRow);
  return FormPage(200, ctx.ui.RowForm(*page, {}, NoTwin(ctx)));
}

Response HandleDropTableForm(const RouteContext& ctx) {
  Result<api::DropTablePage> page = api::BuildDropTablePage(
      ctx.instance, ctx.request, TildeDecode(ctx.route.database), TildeDecode(ctx.route.table));
  if (auto failed = Failed(page)) return std::move(*failed);
  if (ctx.request.method == "POST") return SubmitDrop(ctx, *page);
  return FormPage(200, ctx.ui.ConfirmDrop(*page, NoTwin(ctx)));
}

Response HandleCreateTableForm(const RouteContext& ctx) {
  std::string database = TildeDecode(ctx.route.database);
  Status allowed = api::CheckCreateTable(ctx.instance, ctx.request, database);
  if (!allowed.ok()) return ErrorResponse(allowed, ErrorFormat::kHtml);
  if (ctx.request.method == "POST") return SubmitCreateTable(ctx, database);
  return FormPage(200, ctx.ui.CreateTable(database, {}, NoTwin(ctx)));
}

}  // namespace almanac::web
