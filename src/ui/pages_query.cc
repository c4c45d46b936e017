// The SQL page (/<db>/-/query?sql=) and canned queries (/<db>/<query>): the editor, a field
// for each :named parameter, the results grid or the error, and export links.
#include <algorithm>

#include "api/canned_queries.h"
#include "api/catalog.h"
#include "core/url.h"
#include "ui/cells.h"
#include "ui/html.h"
#include "ui/table_controls.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Data ResultRows(const db::Rows& rows, int64_t truncate) {
  CellOptions options;
  options.truncate = truncate;
  Data out = ListOf(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    Data cells = ListOf(rows.columns.size());
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      const Value& v = rows.at(r, c);
      Data cell;
      Put(cell, "html", Data(CellHtml(v, options)));
      if (IsNumeric(v)) Put(cell, "cls", Data("num"));
      Append(cells, std::move(cell));
    }
    Data row;
    Put(row, "cells", std::move(cells));
    Append(out, std::move(row));
  }
  return out;
}

// `path` with the request's query string and a new extension (".json", ".csv").
std::string WithFormat(const api::Request& request, std::string_view path, std::string_view ext) {
  std::string url = std::string(path) + std::string(ext);
  if (!request.query_string.empty()) url += "?" + request.query_string;
  return url;
}

}  // namespace

std::vector<std::string> NamedParameters(std::string_view sql) {
  std::vector<std::string> names;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = sql.find(close, i + 1);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
    } else if (c == ':' && i + 1 < sql.size() && IsNameChar(sql[i + 1]) &&
               !(i > 0 && sql[i - 1] == ':')) {
      size_t end = i + 1;
      while (end < sql.size() && IsNameChar(sql[end])) ++end;
      std::string name(sql.substr(i + 1, end - i - 1));
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      i = end - 1;
    }
  }
  return names;
}

std::string Renderer::Query(const api::QueryPage& page, const RenderContext& ctx) const {
  const api::Request& request = ctx.request;
  std::optional<api::CannedQuery> canned;
  if (page.canned_query) {
    canned = api::FindCannedQuery(ctx.instance, page.database, *page.canned_query);
  }
  Data data;
  data.set("color", api::DatabaseColor(page.database));
  std::string heading = page.database;
  if (canned) heading = canned->title.value_or(canned->name);
  data.set("heading", heading);
  if (canned && canned->description_html) {
    data.set("description_html", *canned->description_html);
  } else if (canned && canned->description) {
    data.set("description", *canned->description);
  }
  api::Urls urls = ctx.instance.urls();
  std::string path = canned ? urls.Table(page.database, canned->name)
                            : urls.DatabaseAction(page.database, "query");
  data.set("action", path);
  // A writable canned query runs on POST (http/canned_write_routes.cc); GET only shows it.
  data.set("method", canned && canned->is_write ? "post" : "get");
  // Datasette's db_is_immutable: a writable query of an immutable database cannot run.
  if (canned && canned->is_write) {
    db::Database* db = ctx.instance.registry.Find(page.database);
    data.set("immutable_write", db != nullptr && !db->is_mutable());
  }
  data.set("editable", !canned);
  data.set("sql", page.sql);
  data.set("sql_rows",
           std::to_string(std::min<size_t>(
               20, std::max<size_t>(3, std::count(page.sql.begin(), page.sql.end(), '\n') + 2))));
  // Canned queries may hide their SQL (hide_sql); ?_show_sql / ?_hide_sql flip it.
  bool hide_sql =
      canned ? (canned->hide_sql && !request.HasArg("_show_sql")) : request.HasArg("_hide_sql");
  data.set("hide_sql", hide_sql);
  if (canned) {
    bool default_hidden = canned->hide_sql;
    std::string flag = default_hidden ? "_show_sql" : "_hide_sql";
    bool flipped = request.HasArg(flag);
    data.set("toggle_sql_href", flipped ? ChangedArgsUrl(request, {flag}, {})
                                        : ChangedArgsUrl(request, {flag}, {{flag, "1"}}));
    data.set("toggle_sql_text", hide_sql ? "show SQL" : "hide SQL");
  }
  std::vector<std::string> names =
      canned && !canned->parameters.empty() ? canned->parameters : NamedParameters(page.sql);
  Data params = List();
  for (const std::string& name : names) {
    if (name.starts_with("_")) continue;  // magic parameters fill themselves
    Data p;
    p.set("name", name);
    p.set("id", "qp-" + CssClass(name));
    const std::string* value = request.Arg(name);
    p.set("value", value ? *value : "");
    params.push_back(p);
  }
  data.set("has_params", !params.is_empty_list());
  Put(data, "params", std::move(params));
  if (canned && Allowed(ctx, auth::Action::kExecuteSql, auth::Resource::Database(page.database)) &&
      page.sql.find(":_") == std::string::npos) {
    data.set("edit_href", urls.DatabaseQuery(page.database, page.sql));
  }

  if (page.error) {
    data.set("error", *page.error);
  } else if (!page.sql.empty()) {
    Data columns = List();
    for (const std::string& c : page.rows.columns) columns.push_back(Data("name", Str(c)));
    Put(data, "columns", std::move(columns));
    Put(data, "rows", ResultRows(page.rows, ctx.instance.settings.truncate_cells_html));
    data.set("has_rows", !page.rows.empty());
    data.set("zero_rows", page.rows.empty());
    data.set("rows_text", (page.truncated ? "more than " : "") +
                              Plural(static_cast<int64_t>(page.rows.size()), "row", "rows"));
    data.set("json_href", WithFormat(request, path, ".json"));
    data.set("csv_href", WithFormat(request, path, ".csv"));
    if (page.truncated) data.set("truncated", true);
  }
  Frame frame;
  frame.title = page.database + (page.sql.empty() ? "" : ": " + page.sql.substr(0, 100));
  frame.body_class = "query db-" + CssClass(page.database);
  frame.crumbs = Crumbs(ctx, page.database);
  frame.extra_head = MobileLabels(page.rows.columns);
  return RenderPage(assets_, "query", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
