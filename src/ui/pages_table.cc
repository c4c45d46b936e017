// The table page (/<db>/<table>): the rows grid with sortable headers and column menus, the
// filter form, facets with their charts, pagination and export links.
#include <algorithm>

#include "api/catalog.h"
#include "api/table.h"
#include "core/url.h"
#include "ui/cells.h"
#include "ui/charts.h"
#include "ui/html.h"
#include "ui/table_controls.h"
#include "ui/table_summary.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

struct SortState {
  std::string column;
  bool descending = false;
};

// The page's sort, as the query engine chose it (the request's, else the table's default).
SortState CurrentSort(const api::TablePage& page) {
  if (page.sort) return {*page.sort, false};
  if (page.sort_desc) return {*page.sort_desc, true};
  return {};
}

// The grid's header cells, from the query engine's display columns.
Data ColumnHeaders(const api::TablePage& page, const api::Request& request, const SortState& sort,
                   bool allow_facet) {
  Data columns = List();
  for (const api::DisplayColumn& column : page.display_columns) {
    const std::string& name = column.name;
    Data c;
    c.set("name", name);
    bool is_sorted = sort.column == name;
    if (column.sortable && !page.is_view) {
      // Clicking the header sorts ascending, or flips the current direction.
      bool next_desc = is_sorted && !sort.descending;
      c.set("sort_href", ChangedArgsUrl(request, {"_sort", "_sort_desc"},
                                        {{next_desc ? "_sort_desc" : "_sort", name}}));
      c.set("sort_asc_href", ChangedArgsUrl(request, {"_sort", "_sort_desc"}, {{"_sort", name}}));
      c.set("sort_desc_href",
            ChangedArgsUrl(request, {"_sort", "_sort_desc"}, {{"_sort_desc", name}}));
    }
    if (is_sorted) {
      c.set("aria_sort", sort.descending ? "descending" : "ascending");
      c.set("sort_indicator", sort.descending ? "\u25bc" : "\u25b2");
    }
    if (allow_facet && name != "rowid")
      c.set("facet_href", ChangedArgsUrl(request, {}, {{"_facet", name}}));
    c.set("notblank_href", ChangedArgsUrl(request, {}, {{name + "__notblank", "1"}}));
    if (name != "rowid") c.set("hide_href", ChangedArgsUrl(request, {}, {{"_nocol", name}}));
    c.set("menu_id", "col-" + CssClass(name));
    columns.push_back(c);
  }
  return columns;
}

// The label of a foreign key cell (expanded with _labels, on by default in HTML), or nullptr.
const Value* CellLabel(const api::TablePage& page, size_t r, size_t c) {
  size_t index = r * page.rows.columns.size() + c;
  if (index >= page.cell_labels.size() || !page.cell_labels[index]) return nullptr;
  return &*page.cell_labels[index];
}

// The row a foreign key cell points to: /<db>/<other table>/<value>.
std::string ForeignKeyHref(const RenderContext& ctx, const api::TablePage& page,
                           const std::string& column, const Value& v) {
  if (v.is_null()) return "";
  for (const api::ExpandableColumn& e : page.expandable_columns) {
    if (e.fk.column == column) {
      return ctx.instance.urls().Row(page.database, e.fk.other_table,
                                     EncodeRowPath({v.ToDisplayString()}));
    }
  }
  return "";
}

Data RowsData(const api::TablePage& page, const RenderContext& ctx, bool link_column) {
  const db::Rows& rows = page.rows;
  std::string table_url = TableUrl(ctx, page.database, page.table);
  // The column whose cell links to the row page: rowid, or a single primary key.
  int link_index = -1;
  if (!page.is_view && !link_column && (page.use_rowid || !page.primary_keys.empty())) {
    link_index = rows.ColumnIndex(page.use_rowid ? "rowid" : page.primary_keys.front());
  }
  CellOptions options;
  options.truncate = ctx.instance.settings.truncate_cells_html;
  Data out = ListOf(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string row_url;
    if (!page.is_view) row_url = table_url + "/" + api::RowPath(page, r);
    Data cells = ListOf(rows.columns.size() + 1);
    if (link_column) {
      Data cell;
      Put(cell, "html",
          Data("<a href=\"" + Escape(row_url) + "\">" + Escape(TildeDecode(api::RowPath(page, r))) +
               "</a>"));
      Put(cell, "cls", Data("link"));
      Append(cells, std::move(cell));
    }
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      const Value& v = rows.at(r, c);
      Data cell;
      if (static_cast<int>(c) == link_index) {
        Put(cell, "html", Data("<a href=\"" + Escape(row_url) + "\">" + CellHtml(v, {}) + "</a>"));
        Put(cell, "cls", Data("pk"));
      } else if (const Value* label = CellLabel(page, r, c)) {
        std::string href = ForeignKeyHref(ctx, page, rows.columns[c], v);
        std::string shown = CellHtml(*label, options);
        cell.set("html",
                 (href.empty() ? shown : "<a href=\"" + Escape(href) + "\">" + shown + "</a>") +
                     " <span class=\"fk-id\">" + CellHtml(v, {}) + "</span>");
      } else {
        options.blob_href.clear();
        if (v.type() == Value::Type::kBlob && !row_url.empty()) {
          options.blob_href = row_url + ".blob?_blob_column=" + QuotePlus(rows.columns[c]);
        }
        Put(cell, "html", Data(CellHtml(v, options)));
        if (IsNumeric(v)) Put(cell, "cls", Data("num"));
      }
      Append(cells, std::move(cell));
    }
    Data row;
    Put(row, "cells", std::move(cells));
    Append(out, std::move(row));
  }
  return out;
}

Data FilterRows(const std::vector<api::AppliedFilter>& filters,
                const std::vector<std::string>& columns) {
  Data out = List();
  int index = 0;
  for (const api::AppliedFilter& f : filters) {
    ++index;
    Data row;
    row.set("index", std::to_string(index));
    Data cols = List();
    for (const std::string& c : columns) {
      Data option;
      option.set("name", c);
      option.set("selected", c == f.column);
      cols.push_back(option);
    }
    Put(row, "columns", std::move(cols));
    Data ops = List();
    for (const FilterOp& op : FilterOps()) {
      Data option;
      option.set("value", std::string(op.key) + (op.no_argument ? "__1" : ""));
      option.set("display", std::string(op.display));
      option.set("selected", op.key == f.op);
      ops.push_back(option);
    }
    Put(row, "ops", std::move(ops));
    row.set("value", f.value);
    Append(out, std::move(row));
  }
  return out;
}

Data NewFilterOps() {
  Data ops = List();
  for (const FilterOp& op : FilterOps()) {
    Data option;
    option.set("value", std::string(op.key) + (op.no_argument ? "__1" : ""));
    option.set("display", std::string(op.display));
    ops.push_back(option);
  }
  return ops;
}

// The filter form: a row per applied filter, then an empty one to add a filter.
void AddFilterForm(Data& data, const api::TablePage& page) {
  std::vector<std::string> columns = page.all_columns;
  if (page.use_rowid && std::find(columns.begin(), columns.end(), "rowid") == columns.end()) {
    columns.insert(columns.begin(), "rowid");
  }
  Data filter_cols = List();
  for (const std::string& c : columns) filter_cols.push_back(Data("name", Str(c)));
  Put(data, "filters", FilterRows(page.filters, columns));
  Put(data, "filter_columns", std::move(filter_cols));
  Put(data, "filter_ops", NewFilterOps());
  data.set("has_filters", !page.filters.empty());
}

// The sort select of the filter form, and the hidden inputs that keep the rest of the view.
void AddSortControls(Data& data, const api::TablePage& page, const api::Request& request) {
  SortState sort = CurrentSort(page);
  Data sort_options = List();
  for (const api::DisplayColumn& c : page.display_columns) {
    if (!c.sortable) continue;
    Data option;
    option.set("name", c.name);
    option.set("selected", c.name == sort.column);
    sort_options.push_back(option);
  }
  data.set("has_sort", !page.sortable_columns.empty() && !page.is_view);
  Put(data, "sort_options", std::move(sort_options));
  data.set("sort_desc", sort.descending);
  Data hidden = List();
  for (const auto& [k, v] :
       HiddenArgs(request, {"_sort", "_sort_desc", "_search", "_sort_by_desc"})) {
    Data h;
    h.set("name", k);
    h.set("value", v);
    hidden.push_back(h);
  }
  Put(data, "hidden_args", std::move(hidden));
}

// JSON and CSV links, and the SQL behind the page with its filter values for the SQL editor.
void AddExportLinks(Data& data, const api::TablePage& page, const RenderContext& ctx) {
  SetIf(data, "json_href", ctx.json_url);
  std::string csv = TableUrl(ctx, page.database, page.table) + ".csv";
  if (!ctx.request.query_string.empty()) csv += "?" + ctx.request.query_string;
  data.set("csv_href", csv);
  if (!page.allow_execute_sql || page.query_sql.empty()) return;
  data.set("sql", page.query_sql);
  QueryArgs args{{"sql", page.query_sql}};
  for (const auto& [name, value] : page.query_params) {
    args.emplace_back(name, value.is_null() ? "" : value.ToDisplayString());
  }
  data.set("sql_href", ctx.instance.urls().DatabaseAction(page.database, "query") + "?" +
                           EncodeQueryString(args));
}

void AddTableActions(Data& data, const api::TablePage& page, const RenderContext& ctx) {
  if (page.is_view) return;
  api::Urls urls = ctx.instance.urls();
  auth::Resource resource = auth::Resource::Table(page.database, page.table);
  Data actions;
  bool any = false;
  std::optional<bool> is_public;  // hosting mode only
  if (ctx.instance.table_is_public) {
    is_public = ctx.instance.table_is_public(page.database, page.table);
    if (*is_public) data.set("table_is_public", true);
  }
  if (Allowed(ctx, auth::Action::kInsertRow, resource)) {
    actions.set("insert_href", urls.TableAction(page.database, page.table, "new-row"));
    any = true;
  }
  if (Allowed(ctx, auth::Action::kDropTable, resource)) {
    actions.set("drop_href", urls.TableAction(page.database, page.table, "confirm-drop"));
    any = true;
    // Hosting mode: the space's admins (who alone may drop tables there) may also publish
    // the table; the front door answers the form (it writes the space's policy).
    if (is_public) {
      Data toggle;
      toggle.set("action", urls.TableAction(page.database, page.table, "public"));
      toggle.set("value", *is_public ? "0" : "1");
      toggle.set("label", *is_public ? "Make this table private" : "Make this table public");
      Put(actions, "public_toggle", std::move(toggle));
    }
  }
  if (any) Put(data, "table_actions", std::move(actions));
}

}  // namespace

std::string Renderer::Table(const api::TablePage& page, const RenderContext& ctx) const {
  const api::Request& request = ctx.request;
  Data data;
  const format::JsonValue* meta = ctx.instance.config.TableMetadata(page.database, page.table);
  const format::JsonValue* title = meta ? meta->Find("title") : nullptr;
  data.set("heading", title && title->is_string() ? title->as_string() : page.table);
  data.set("is_view", page.is_view);
  data.set("color", api::DatabaseColor(page.database));
  if (meta) data.set("metadata", MetadataData(*meta));
  data.set("table_url", TableUrl(ctx, page.database, page.table));
  AddTableSummary(data, page, ctx);
  AddTableActions(data, page, ctx);
  AddFilterForm(data, page);
  AddSortControls(data, page, request);

  bool link_column = !page.is_view && !page.use_rowid && page.primary_keys.size() > 1;
  Put(data, "columns",
      ColumnHeaders(page, request, CurrentSort(page), ctx.instance.settings.allow_facet));
  data.set("link_column", link_column);
  Put(data, "rows", RowsData(page, ctx, link_column));
  data.set("has_rows", !page.rows.empty());
  data.set("no_rows", page.rows.empty());
  if (page.next_url) data.set("next_href", *page.next_url);
  if (request.HasArg("_next")) data.set("first_href", ChangedArgsUrl(request, {}, {}));
  AddExportLinks(data, page, ctx);

  Frame frame;
  frame.title = page.database + ": " + page.table;
  frame.body_class = "table db-" + CssClass(page.database) + " table-" + CssClass(page.table);
  frame.crumbs = Crumbs(ctx, page.database);
  std::vector<std::string> labels = page.rows.columns;
  if (link_column) labels.insert(labels.begin(), "Link");
  frame.extra_head = MobileLabels(labels);
  return RenderPage(assets_, "table", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
