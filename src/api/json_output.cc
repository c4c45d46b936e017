#include "api/json_output.h"

#include <algorithm>

#include "api/json_extras.h"
#include "core/url.h"
#include "format/json_writer.h"

namespace almanac::api {
namespace {

using format::JsonWriter;

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

format::JsonStyle StyleFor(const OutputOptions& output) {
  format::JsonStyle style;
  style.infinity_as_literal = output.json_infinity;
  return style;
}

bool IsJsonColumn(const OutputOptions& output, const std::string& column) {
  return std::find(output.json_columns.begin(), output.json_columns.end(), column) !=
         output.json_columns.end();
}

// The rows to write and, for tables, the foreign-key labels of their cells.
struct RowsView {
  const db::Rows& rows;
  const std::vector<std::optional<Value>>* labels = nullptr;  // one per cell, or null

  const std::optional<Value>* LabelAt(size_t r, size_t c) const {
    if (!labels || labels->empty()) return nullptr;
    const std::optional<Value>& l = (*labels)[r * rows.columns.size() + c];
    return l ? &l : nullptr;
  }
};

void WriteCell(JsonWriter& w, const Value& v, bool parse_json, const std::optional<Value>* label) {
  if (label) {
    w.BeginObject();
    w.Key("value");
    w.WriteValue(v);
    w.Key("label");
    w.WriteValue(**label);
    w.EndObject();
    return;
  }
  if (parse_json && v.type() == Value::Type::kText) {
    Result<format::JsonValue> parsed = format::ParseJson(v.text());
    if (parsed.ok()) {
      format::WriteJson(*parsed, w);
      return;
    }
  }
  w.WriteValue(v);
}

// Per-column facts computed once per body, not once per cell: the quoted key and ?_json=.
struct ColumnPlan {
  std::vector<std::string> keys;
  std::vector<char> json;

  ColumnPlan(const db::Rows& rows, const OutputOptions& output) {
    keys.reserve(rows.columns.size());
    for (const std::string& c : rows.columns) {
      keys.emplace_back();
      format::AppendJsonString(c, keys.back());
      json.push_back(IsJsonColumn(output, c));
    }
  }
};

void WriteRowObject(JsonWriter& w, const RowsView& view, size_t r, const ColumnPlan& plan) {
  const db::Rows& rows = view.rows;
  w.BeginObject();
  for (size_t c = 0; c < rows.columns.size(); ++c) {
    w.QuotedKey(plan.keys[c]);
    WriteCell(w, rows.at(r, c), plan.json[c] != 0, view.LabelAt(r, c));
  }
  w.EndObject();
}

void WriteRowArray(JsonWriter& w, const RowsView& view, size_t r, const ColumnPlan& plan) {
  const db::Rows& rows = view.rows;
  w.BeginArray();
  for (size_t c = 0; c < rows.columns.size(); ++c) {
    WriteCell(w, rows.at(r, c), plan.json[c] != 0, view.LabelAt(r, c));
  }
  w.EndArray();
}

// The "rows" list in the objects/arrays shapes.
void WriteRowsList(JsonWriter& w, const RowsView& view, const OutputOptions& output) {
  ColumnPlan plan(view.rows, output);
  w.out().reserve(w.out().size() + view.rows.cells.size() * 24);
  w.BeginArray();
  for (size_t r = 0; r < view.rows.size(); ++r) {
    if (output.shape == Shape::kArrays) {
      WriteRowArray(w, view, r, plan);
    } else {
      WriteRowObject(w, view, r, plan);
    }
  }
  w.EndArray();
}

// Bare shapes (array, arrayfirst, object): the whole body. Returns false for enveloped shapes.
bool WriteBareShape(Body& body, const RowsView& view, const OutputOptions& output,
                    const std::vector<std::string>& pks, bool use_rowid) {
  const db::Rows& rows = view.rows;
  JsonWriter w(body.text, StyleFor(output));
  ColumnPlan plan(rows, output);
  switch (output.shape) {
    case Shape::kArray:
      if (output.newline_delimited) {
        body.content_type = "text/plain";
        for (size_t r = 0; r < rows.size(); ++r) {
          if (r) body.text += '\n';
          JsonWriter line(body.text, StyleFor(output));
          WriteRowObject(line, view, r, plan);
        }
        return true;
      }
      w.BeginArray();
      for (size_t r = 0; r < rows.size(); ++r) WriteRowObject(w, view, r, plan);
      w.EndArray();
      return true;
    case Shape::kArrayFirst:
      w.BeginArray();
      for (size_t r = 0; r < rows.size(); ++r) {
        if (rows.columns.empty()) continue;
        WriteCell(w, rows.at(r, 0), IsJsonColumn(output, rows.columns[0]), view.LabelAt(r, 0));
      }
      w.EndArray();
      return true;
    case Shape::kObject:
      w.BeginObject();
      for (size_t r = 0; r < rows.size(); ++r) {
        w.Key(RowKey(rows, r, pks, use_rowid));
        WriteRowObject(w, view, r, plan);
      }
      w.EndObject();
      return true;
    default:
      return false;
  }
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

std::string RowKey(const db::Rows& rows, size_t row, const std::vector<std::string>& pks,
                   bool use_rowid) {
  std::string key;
  if (use_rowid || pks.empty()) {
    int index = rows.ColumnIndex("rowid");
    return index < 0 ? std::to_string(row)
                     : TildeEncode(rows.at(row, static_cast<size_t>(index)).ToDisplayString());
  }
  // Datasette's path_from_row_pks: each value tilde-encoded, joined by commas.
  for (const std::string& pk : pks) {
    int index = rows.ColumnIndex(pk);
    if (!key.empty()) key += ',';
    if (index >= 0) key += TildeEncode(rows.at(row, static_cast<size_t>(index)).ToDisplayString());
  }
  return key;
}

Body TableJson(const TablePage& page) {
  Body body;
  bool columns_extra =
      std::find(page.extras.begin(), page.extras.end(), "columns") != page.extras.end();
  OutputOptions output = page.output;
  // Datasette's renderer applies ?_json= to tables only alongside ?_extra=columns.
  if (!columns_extra) output.json_columns.clear();
  RowsView view{page.rows, &page.cell_labels};
  if (WriteBareShape(body, view, output, page.primary_keys, page.use_rowid)) return body;
  JsonWriter w(body.text, StyleFor(output));
  w.BeginObject();
  w.MemberBool("ok", true);
  WriteOptionalString(w, "next", page.next);
  WriteOptionalString(w, "next_url", page.next_url);
  WriteTableExtras(w, page);
  w.Key("rows");
  WriteRowsList(w, view, output);
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
  if (!page.error && WriteBareShape(body, RowsView{page.rows}, page.output, {}, false)) {
    return body;
  }
  JsonWriter w(body.text, StyleFor(page.output));
  w.BeginObject();
  w.MemberBool("ok", !page.error);
  w.Key("rows");
  WriteRowsList(w, RowsView{page.rows}, page.output);
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
