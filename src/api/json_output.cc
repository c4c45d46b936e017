#include "api/json_output.h"

#include <algorithm>

#include "api/json_extras.h"
#include "api/json_rows.h"
#include "core/url.h"
#include "format/json_writer.h"

namespace almanac::api {
namespace {

using format::JsonWriter;

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

format::JsonStyle StyleFor(const OutputOptions& output) { return JsonStyleFor(output); }

// The rows of the model and, for tables, the foreign-key labels of their cells.
struct RowsView {
  const db::Rows& rows;
  const std::vector<std::optional<Value>>* labels = nullptr;  // one per cell, or null
};

const std::vector<std::optional<Value>>& LabelsOf(const RowsView& view) {
  static const std::vector<std::optional<Value>> kNone;
  return view.labels ? *view.labels : kNone;
}

void WriteRows(JsonRowsWriter& writer, const RowsView& view) {
  writer.Begin();
  for (size_t r = 0; r < view.rows.size(); ++r) writer.Row(view.rows, r, LabelsOf(view));
  writer.End();
}

// The "rows" list of an enveloped body: arrays for _shape=arrays, objects otherwise.
void WriteRowsList(JsonWriter& w, const RowsView& view, const OutputOptions& output) {
  OutputOptions list = RowsListOutput(output);
  w.Raw("");  // the separator before the list; the list itself follows in place
  w.out().reserve(w.out().size() + view.rows.cells.size() * 24 + 2);
  JsonRowsWriter writer(w.out(), view.rows.columns, list, {});
  WriteRows(writer, view);
}

// Bare shapes (array, arrayfirst, object): the whole body. Returns false for enveloped shapes.
bool WriteBareShape(Body& body, const RowsView& view, const OutputOptions& output,
                    const std::vector<std::string>& pks, bool use_rowid) {
  if (!IsBareShape(output.shape)) return false;
  JsonRowsWriter writer(body.text, view.rows.columns, output, RowKeyColumns{pks, use_rowid});
  WriteRows(writer, view);
  body.content_type = BareBodyContentType(output);
  return true;
}

void WriteOptionalString(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.Key(key);
  if (v) {
    w.String(*v);
  } else {
    w.Null();
  }
}

void WriteForeignKeys(JsonWriter& w, const std::vector<db::ForeignKey>& fks) {
  w.BeginArray();
  for (const db::ForeignKey& fk : fks) {
    w.BeginObject();
    w.Member("other_table", fk.other_table);
    w.Member("column", fk.column);
    w.Member("other_column", fk.other_column);
    w.EndObject();
  }
  w.EndArray();
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& values) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

// The members every table summary starts with (database and index pages).
void WriteSummaryStart(JsonWriter& w, const TableSummary& t) {
  w.Member("name", t.name);
  w.Key("columns");
  WriteStrings(w, t.columns);
  w.Key("primary_keys");
  WriteStrings(w, t.primary_keys);
  w.Key("count");
  if (t.count) {
    w.Int(*t.count);
  } else {
    w.Null();
  }
}

}  // namespace

Body TableJson(const TablePage& page) {
  Body body;
  bool columns_extra =
      std::find(page.extras.begin(), page.extras.end(), "columns") != page.extras.end();
  OutputOptions output = page.output;
  // Datasette's renderer applies ?_json= to tables only alongside ?_extra=columns.
  if (!columns_extra) output.json_columns.clear();
  RowsView view{page.rows, &page.cell_labels};
  if (page.rows_json && IsBareShape(output.shape)) {
    body.content_type = BareBodyContentType(output);
    body.text = *page.rows_json;
    return body;
  }
  if (!page.rows_json && WriteBareShape(body, view, output, page.primary_keys, page.use_rowid)) {
    return body;
  }
  JsonWriter w(body.text, StyleFor(output));
  w.BeginObject();
  w.MemberBool("ok", true);
  WriteOptionalString(w, "next", page.next);
  WriteOptionalString(w, "next_url", page.next_url);
  WriteTableExtras(w, page);
  w.Key("rows");
  if (page.rows_json) {
    w.Raw(*page.rows_json);
  } else {
    WriteRowsList(w, view, output);
  }
  w.MemberBool("truncated", page.truncated);
  w.EndObject();
  return body;
}

Body RowJson(const RowPage& page) {
  Body body;
  if (WriteBareShape(body, RowsView{page.rows}, page.output, page.primary_keys,
                     page.primary_keys.empty())) {
    return body;
  }
  JsonWriter w(body.text, StyleFor(page.output));
  w.BeginObject();
  w.MemberBool("ok", true);
  w.Member("database", page.database);
  w.Member("table", page.table);
  w.Key("rows");
  WriteRowsList(w, RowsView{page.rows}, page.output);
  w.Key("primary_keys");
  WriteStrings(w, page.primary_keys);
  w.Key("primary_key_values");
  WriteStrings(w, page.primary_key_values);
  WriteExtraJson(w, page.extra_json);
  if (std::find(page.extras.begin(), page.extras.end(), "foreign_key_tables") !=
      page.extras.end()) {
    w.Key("foreign_key_tables");
    w.BeginArray();
    for (const ForeignKeyTable& t : page.foreign_key_tables) {
      w.BeginObject();
      w.Member("other_table", t.fk.other_table);
      w.Member("column", t.fk.column);
      w.Member("other_column", t.fk.other_column);
      w.Member("count", t.count);
      w.Member("link", t.link);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("query_ms");
  w.Double(page.query_ms);
  w.MemberBool("truncated", false);
  w.EndObject();
  return body;
}

Body QueryJson(const QueryPage& page) {
  Body body;
  if (page.rows_json && !page.error && IsBareShape(page.output.shape)) {
    body.content_type = BareBodyContentType(page.output);
    body.text = *page.rows_json;
    return body;
  }
  if (!page.rows_json && !page.error &&
      WriteBareShape(body, RowsView{page.rows}, page.output, {}, false)) {
    return body;
  }
  JsonWriter w(body.text, StyleFor(page.output));
  w.BeginObject();
  w.MemberBool("ok", !page.error);
  w.Key("rows");
  if (page.rows_json) {
    w.Raw(*page.rows_json);
  } else {
    WriteRowsList(w, RowsView{page.rows}, page.output);
  }
  WriteExtraJson(w, page.extra_json);
  w.MemberBool("truncated", page.truncated);
  if (page.error) {
    w.Member("error", *page.error);
    w.Key("errors");
    WriteStrings(w, {*page.error});
    w.Member("status", 400);
  }
  w.EndObject();
  return body;
}

Body DatabaseJson(const DatabasePage& page) {
  Body body;
  JsonWriter w(body.text);
  w.BeginObject();
  w.MemberBool("ok", true);
  w.Member("database", page.database);
  w.MemberBool("private", page.private_);
  w.Member("path", page.path);
  w.Member("size", page.size);
  w.Key("tables");
  w.BeginArray();
  for (const TableSummary& t : page.tables) {
    w.BeginObject();
    WriteSummaryStart(w, t);
    w.MemberBool("count_truncated", t.count_truncated);
    w.MemberBool("hidden", t.hidden);
    WriteOptionalString(w, "fts_table", t.fts_table);
    w.Key("foreign_keys");
    w.BeginObject();
    w.Key("incoming");
    WriteForeignKeys(w, t.incoming);
    w.Key("outgoing");
    WriteForeignKeys(w, t.outgoing);
    w.EndObject();
    w.MemberBool("private", t.private_);
    w.EndObject();
  }
  w.EndArray();
  w.Member("hidden_count", page.hidden_count);
  w.Key("views");
  w.BeginArray();
  for (const std::string& v : page.views) {
    w.BeginObject();
    w.Member("name", v);
    w.MemberBool("private", Contains(page.private_views, v));
    w.EndObject();
  }
  w.EndArray();
  w.Key("queries");
  format::WriteJson(page.queries, w);
  w.MemberBool("queries_more", false);
  w.Member("queries_count",
           static_cast<int64_t>(page.queries.is_array() ? page.queries.as_array().size() : 0));
  w.MemberBool("allow_execute_sql", page.allow_execute_sql);
  w.Key("table_columns");
  w.BeginObject();
  for (const auto& [table, columns] : page.table_columns) {
    w.Key(table);
    WriteStrings(w, columns);
  }
  w.EndObject();
  w.Key("metadata");
  format::WriteJson(page.metadata, w);
  w.EndObject();
  return body;
}

Body IndexJson(const IndexPage& page) {
  Body body;
  JsonWriter w(body.text);
  w.BeginObject();
  w.MemberBool("ok", true);
  w.Member("unstable",
           "This API is not part of Datasette's stable interface and may change at any time");
  w.Key("databases");
  w.BeginArray();
  for (const IndexDatabase& d : page.databases) {
    w.BeginObject();
    w.Member("name", d.name);
    WriteOptionalString(w, "hash", d.hash);
    w.Member("color", d.color);
    w.Member("path", d.path);
    w.Key("tables_and_views_truncated");
    w.BeginArray();
    for (const TableSummary& t : d.tables) {
      w.BeginObject();
      WriteSummaryStart(w, t);
      w.MemberBool("hidden", t.hidden);
      WriteOptionalString(w, "fts_table", t.fts_table);
      w.Member("num_relationships_for_sorting", t.num_relationships_for_sorting);
      w.MemberBool("private", t.private_);
      w.EndObject();
    }
    for (const std::string& v : d.views) {
      w.BeginObject();
      w.Member("name", v);
      w.MemberBool("private", Contains(d.private_views, v));
      w.EndObject();
    }
    w.EndArray();
    w.MemberBool("tables_and_views_more", d.tables_and_views_more);
    w.Member("tables_count", d.tables_count);
    w.Member("table_rows_sum", d.table_rows_sum);
    w.MemberBool("show_table_row_counts", d.show_table_row_counts);
    w.Member("hidden_table_rows_sum", d.hidden_table_rows_sum);
    w.Member("hidden_tables_count", d.hidden_tables_count);
    w.Member("views_count", d.views_count);
    w.MemberBool("private", d.private_);
    w.EndObject();
  }
  w.EndArray();
  w.Key("metadata");
  format::WriteJson(page.metadata, w);
  w.EndObject();
  return body;
}

}  // namespace almanac::api
