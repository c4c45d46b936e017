// The row page (/<db>/<table>/<pks>): every column of one row, then the rows of other tables
// that point at it.
#include "api/catalog.h"
#include "core/url.h"
#include "ui/cells.h"
#include "ui/html.h"
#include "ui/view.h"

namespace almanac::ui {

std::string Renderer::Row(const api::RowPage& page, const RenderContext& ctx) const {
  Data data;
  std::string keys;
  for (const std::string& v : page.primary_key_values) keys += (keys.empty() ? "" : ", ") + v;
  data.set("heading", page.table + ": " + keys);
  data.set("color", api::DatabaseColor(page.database));
  std::string row_url =
      ctx.instance.urls().Row(page.database, page.table, EncodeRowPath(page.primary_key_values));
  data.set("row_url", row_url);
  auth::Resource resource = auth::Resource::Table(page.database, page.table);
  Data actions;
  bool any = false;
  if (Allowed(ctx, auth::Action::kUpdateRow, resource)) {
    actions.set("edit_href", row_url + "/-/edit");
    any = true;
  }
  if (Allowed(ctx, auth::Action::kDeleteRow, resource)) {
    actions.set("delete_href", row_url + "/-/confirm-delete");
    any = true;
  }
  if (any) Put(data, "row_actions", std::move(actions));
  SetIf(data, "json_href", ctx.json_url);
  CellOptions options;
  options.truncate = 0;  // the row page shows values in full
  Data fields = ListOf(page.rows.columns.size());
  if (!page.rows.empty()) {
    for (size_t c = 0; c < page.rows.columns.size(); ++c) {
      const Value& v = page.rows.at(0, c);
      Data field;
      field.set("name", page.rows.columns[c]);
      options.blob_href.clear();
      if (v.type() == Value::Type::kBlob) {
        options.blob_href = row_url + ".blob?_blob_column=" + QuotePlus(page.rows.columns[c]);
      }
      if (c < page.cell_labels.size() && page.cell_labels[c]) {
        // An outgoing foreign key: the label, linked to the row it points to, then the value.
        std::string href = ctx.instance.urls().Row(page.database, page.foreign_key_targets[c],
                                                   EncodeRowPath({v.ToDisplayString()}));
        field.set("html", "<a href=\"" + Escape(href) + "\">" +
                              CellHtml(*page.cell_labels[c], options) +
                              "</a> <span class=\"fk-id\">" + CellHtml(v, {}) + "</span>");
      } else {
        field.set("html", CellHtml(v, options));
        if (IsNumeric(v)) field.set("cls", "num");
      }
      Append(fields, std::move(field));
    }
  }
  Put(data, "fields", std::move(fields));
  Data links = List();
  for (const api::ForeignKeyTable& other : page.foreign_key_tables) {
    Data item;
    item.set("href", other.link);
    item.set("count_text", Plural(other.count, "row", "rows"));
    item.set("other_table", other.fk.other_table);
    item.set("other_column", other.fk.other_column);
    links.push_back(item);
  }
  data.set("has_foreign_key_tables", !page.foreign_key_tables.empty());
  Put(data, "foreign_key_tables", std::move(links));
  Frame frame;
  frame.title = page.database + ": " + page.table + ": " + keys;
  frame.body_class = "row db-" + CssClass(page.database) + " table-" + CssClass(page.table);
  frame.crumbs = Crumbs(ctx, page.database, page.table);
  return RenderPage(assets_, "row", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
