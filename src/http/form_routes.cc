// The HTML write forms: GET shows a form or a confirmation page, POST submits it through the
// write API and answers with a redirect (303) to the page that shows the result, or with the
// form again and the error. Almanac's own URLs (the JSON write API keeps Datasette's):
//   /<db>/<table>/-/new-row              insert a row
//   /<db>/<table>/<pks>/-/edit           edit a row
//   /<db>/<table>/<pks>/-/confirm-delete delete a row
//   /<db>/<table>/-/confirm-drop         drop a table
//   /<db>/-/create-table                 create a table from pasted CSV/TSV/JSON
#include "http/form_routes.h"

#include "core/url.h"
#include "http/handler_util.h"

namespace almanac::http {
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

std::optional<Response> RowForms(const RouteContext& ctx) {
  const std::string& name = ctx.route.name;
  if (name != "edit" && name != "confirm-delete") return std::nullopt;
  auth::Action action = name == "edit" ? auth::Action::kUpdateRow : auth::Action::kDeleteRow;
  Result<api::RowFormPage> page =
      api::BuildRowFormPage(ctx.instance, ctx.request, TildeDecode(ctx.route.database),
                            TildeDecode(ctx.route.table), ctx.route.pks, action);
  if (auto failed = Failed(page)) return failed;
  if (ctx.request.method == "POST") return SubmitRowForm(ctx, *page, action);
  if (name == "edit") return FormPage(200, ctx.ui.RowForm(*page, {}, NoTwin(ctx)));
  return FormPage(200, ctx.ui.ConfirmDeleteRow(*page, NoTwin(ctx)));
}

std::optional<Response> TableForms(const RouteContext& ctx) {
  const std::string& name = ctx.route.name;
  std::string database = TildeDecode(ctx.route.database);
  std::string table = TildeDecode(ctx.route.table);
  if (name == "new-row") {
    Result<api::RowFormPage> page = api::BuildRowFormPage(ctx.instance, ctx.request, database,
                                                          table, "", auth::Action::kInsertRow);
    if (auto failed = Failed(page)) return failed;
    if (ctx.request.method == "POST") return SubmitRowForm(ctx, *page, auth::Action::kInsertRow);
    return FormPage(200, ctx.ui.RowForm(*page, {}, NoTwin(ctx)));
  }
  if (name == "confirm-drop") {
    Result<api::DropTablePage> page =
        api::BuildDropTablePage(ctx.instance, ctx.request, database, table);
    if (auto failed = Failed(page)) return failed;
    if (ctx.request.method == "POST") return SubmitDrop(ctx, *page);
    return FormPage(200, ctx.ui.ConfirmDrop(*page, NoTwin(ctx)));
  }
  return std::nullopt;
}

std::optional<Response> DatabaseForms(const RouteContext& ctx) {
  if (ctx.route.name != "create-table") return std::nullopt;
  std::string database = TildeDecode(ctx.route.database);
  Status allowed = api::CheckCreateTable(ctx.instance, ctx.request, database);
  if (!allowed.ok()) return ErrorResponse(allowed, ErrorFormat::kHtml);
  if (ctx.request.method == "POST") return SubmitCreateTable(ctx, database);
  return FormPage(200, ctx.ui.CreateTable(database, {}, NoTwin(ctx)));
}

}  // namespace

bool IsFormRoute(const Route& route) {
  const std::string& n = route.name;
  switch (route.kind) {
    case RouteKind::kRowAction:
      return n == "edit" || n == "confirm-delete";
    case RouteKind::kTableAction:
      return n == "new-row" || n == "confirm-drop";
    case RouteKind::kDatabaseAction:
      return n == "create-table";
    default:
      return false;
  }
}

std::optional<Response> HandleForm(const RouteContext& ctx) {
  if (!IsFormRoute(ctx.route)) return std::nullopt;
  if (!ctx.route.format.empty()) return std::nullopt;
  if (ctx.request.method != "GET" && ctx.request.method != "HEAD" && ctx.request.method != "POST") {
    return std::nullopt;
  }
  switch (ctx.route.kind) {
    case RouteKind::kRowAction:
      return RowForms(ctx);
    case RouteKind::kTableAction:
      return TableForms(ctx);
    case RouteKind::kDatabaseAction:
      return DatabaseForms(ctx);
    default:
      return std::nullopt;
  }
}

}  // namespace almanac::http
