// The write forms: insert or edit a row, confirm deleting a row or dropping a table, create a
// table from pasted CSV/TSV/JSON with a preview of the detected columns and types. Plain
// POST forms: they work without JavaScript.
#include <algorithm>

#include "api/catalog.h"
#include "core/text.h"
#include "core/url.h"
#include "ui/cells.h"
#include "ui/forms.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

constexpr size_t kPreviewRows = 10;

std::string InputType(const std::string& declared) {
  std::string t = AsciiLower(declared);
  if (t.find("int") != std::string::npos) return "int";
  if (t.find("real") != std::string::npos || t.find("floa") != std::string::npos ||
      t.find("doub") != std::string::npos || t.find("num") != std::string::npos) {
    return "real";
  }
  return "text";
}

std::string RowUrl(const RenderContext& ctx, const api::RowFormPage& page) {
  return ctx.instance.urls().Row(page.database, page.table, page.pks_path);
}

}  // namespace

std::string Renderer::RowForm(const api::RowFormPage& page, const FormState& state,
                              const RenderContext& ctx) const {
  bool editing = page.row.has_value();
  Data data;
  data.set("color", api::DatabaseColor(page.database));
  std::string table_url = TableUrl(ctx, page.database, page.table);
  data.set("heading", editing ? "Edit " + page.table + ": " + TildeDecode(page.pks_path)
                              : "Insert a row into " + page.table);
  data.set("action", editing
                         ? RowUrl(ctx, page) + "/-/edit"
                         : ctx.instance.urls().TableAction(page.database, page.table, "new-row"));
  data.set("cancel_href", editing ? RowUrl(ctx, page) : table_url);
  data.set("submit", editing ? "Save changes" : "Insert row");
  if (state.error) data.set("error", *state.error);
  if (page.use_rowid && !editing) data.set("rowid_note", true);
  Data fields = List();
  for (const api::FormColumn& c : page.columns) {
    Data f;
    f.set("name", c.name);
    f.set("field", ValueField(c.name));
    f.set("null_field", NullField(c.name));
    f.set("id", "f-" + CssClass(c.name));
    f.set("type", c.type.empty() ? "any" : c.type);
    std::string kind = InputType(c.type);
    f.set("numeric", kind != "text");
    if (kind == "int") f.set("inputmode", "numeric");
    if (kind == "real") f.set("inputmode", "decimal");
    f.set("pk", c.primary_key);
    f.set("notnull", c.notnull);
    std::string value;
    bool is_null = false;
    if (const std::string* submitted = state.Value(ValueField(c.name))) {
      value = *submitted;
      is_null = state.Value(NullField(c.name)) != nullptr;
    } else if (editing) {
      int index = page.row->rows.ColumnIndex(c.name);
      if (index >= 0) {
        const Value& v = page.row->rows.at(0, static_cast<size_t>(index));
        is_null = v.is_null();
        if (!is_null && v.type() != Value::Type::kBlob) value = v.ToDisplayString();
        if (v.type() == Value::Type::kBlob) f.set("blob", true);
      }
    }
    f.set("value", value);
    f.set("multiline", value.size() > 60 || value.find('\n') != std::string::npos);
    f.set("is_null", is_null);
    f.set("readonly", editing && c.primary_key);
    // An INTEGER PRIMARY KEY left empty is assigned by SQLite.
    bool single_key = std::count_if(page.columns.begin(), page.columns.end(),
                                    [](const api::FormColumn& x) { return x.primary_key; }) == 1;
    if (!editing && c.primary_key && single_key && kind == "int") f.set("auto_key", true);
    if (c.default_value) f.set("default", *c.default_value);
    fields.push_back(f);
  }
  Put(data, "fields", std::move(fields));
  Frame frame;
  frame.title = page.database + ": " + page.table + (editing ? ": edit" : ": insert");
  frame.body_class = "form";
  frame.crumbs = Crumbs(ctx, page.database, page.table);
  return RenderPage(assets_, "row_form", std::move(data), frame, ctx);
}

std::string Renderer::ConfirmDeleteRow(const api::RowFormPage& page,
                                       const RenderContext& ctx) const {
  Data data;
  data.set("color", api::DatabaseColor(page.database));
  data.set("heading", "Delete row " + TildeDecode(page.pks_path) + " from " + page.table + "?");
  data.set("message",
           "This row will be deleted permanently. Rows in other tables that point "
           "to it are not changed.");
  data.set("action", RowUrl(ctx, page) + "/-/confirm-delete");
  data.set("submit", "Delete this row");
  data.set("cancel_href", RowUrl(ctx, page));
  if (page.row) {
    Data fields = List();
    CellOptions options;
    options.truncate = 200;
    for (size_t c = 0; c < page.row->rows.columns.size(); ++c) {
      Data f;
      f.set("name", page.row->rows.columns[c]);
      f.set("html", CellHtml(page.row->rows.at(0, c), options));
      fields.push_back(f);
    }
    Put(data, "fields", std::move(fields));
  }
  Frame frame{page.database + ": " + page.table + ": delete", "form confirm",
              Crumbs(ctx, page.database, page.table), ""};
  return RenderPage(assets_, "confirm", std::move(data), frame, ctx);
}

std::string Renderer::ConfirmDrop(const api::DropTablePage& page, const RenderContext& ctx) const {
  Data data;
  std::string kind = page.is_view ? "view" : "table";
  data.set("color", api::DatabaseColor(page.database));
  data.set("heading", "Drop " + kind + " " + page.table + "?");
  std::string message =
      "The " + kind + " " + page.table + " will be removed from " + page.database + " permanently";
  if (page.row_count) {
    message += page.row_count > api::kCountLimit
                   ? ", with more than " + Plural(api::kCountLimit, "row", "rows")
                   : ", with its " + Plural(*page.row_count, "row", "rows");
  }
  data.set("message", message + ". This cannot be undone.");
  data.set("action", ctx.instance.urls().TableAction(page.database, page.table, "confirm-drop"));
  data.set("submit", "Drop " + kind);
  data.set("cancel_href", TableUrl(ctx, page.database, page.table));
  Frame frame{page.database + ": " + page.table + ": drop", "form confirm",
              Crumbs(ctx, page.database, page.table), ""};
  return RenderPage(assets_, "confirm", std::move(data), frame, ctx);
}

std::string Renderer::CreateTable(std::string_view database, const CreateTableState& state,
                                  const RenderContext& ctx) const {
  Data data;
  data.set("color", api::DatabaseColor(database));
  data.set("heading", "Create a table in " + std::string(database));
  data.set("action", ctx.instance.urls().DatabaseAction(database, "create-table"));
  data.set("cancel_href", DatabaseUrl(ctx, database));
  data.set("table_name", state.table_name);
  data.set("pk", state.pk);
  data.set("text", state.text);
  Data formats = List();
  for (const auto& [value, label] :
       std::vector<std::pair<std::string, std::string>>{{"", "Detect"},
                                                        {"csv", "CSV"},
                                                        {"tsv", "TSV"},
                                                        {"json", "JSON"},
                                                        {"ndjson", "Newline-delimited JSON"}}) {
    Data f;
    f.set("value", value);
    f.set("label", label);
    f.set("selected", value == state.format);
    formats.push_back(f);
  }
  Put(data, "formats", std::move(formats));
  if (state.error) data.set("error", *state.error);
  if (state.preview) {
    const ingest::Tabular& t = *state.preview;
    Data preview;
    preview.set("format", std::string(ingest::FormatName(t.format)).append(""));
    preview.set("summary", Plural(static_cast<int64_t>(t.rows.size()), "row", "rows") + " and " +
                               Plural(static_cast<int64_t>(t.columns.size()), "column", "columns") +
                               " found");
    Data columns = List();
    for (size_t c = 0; c < t.columns.size(); ++c) {
      Data col;
      col.set("name", t.columns[c]);
      col.set("type", t.types[c]);
      columns.push_back(col);
    }
    Put(preview, "columns", std::move(columns));
    Data rows = List();
    for (size_t r = 0; r < t.rows.size() && r < kPreviewRows; ++r) {
      Data cells = List();
      for (const format::JsonValue& v : t.rows[r]) {
        Data cell;
        cell.set("text", v.is_null() ? "" : v.is_string() ? v.as_string() : format::ToJsonText(v));
        cell.set("null", v.is_null());
        cells.push_back(cell);
      }
      Data row;
      Put(row, "cells", std::move(cells));
      rows.push_back(row);
    }
    Put(preview, "rows", std::move(rows));
    if (t.rows.size() > kPreviewRows) {
      preview.set("more", "and " + Plural(static_cast<int64_t>(t.rows.size() - kPreviewRows),
                                          "more row", "more rows"));
    }
    Put(data, "preview", std::move(preview));
  }
  Frame frame{std::string(database) + ": create table", "form create-table", Crumbs(ctx, database),
              ""};
  return RenderPage(assets_, "create_table", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
