#include "api/json_rows.h"

#include <algorithm>

#include <sqlite3.h>

#include "core/url.h"
#include "format/json_value.h"

namespace almanac::api {
namespace {

using format::JsonWriter;

// Text as a JSON string or, for a ?_json= column holding valid JSON, as that JSON.
void WriteText(JsonWriter& w, std::string_view text, bool parse_json) {
  if (parse_json) {
    Result<format::JsonValue> parsed = format::ParseJson(text);
    if (parsed.ok()) {
      format::WriteJson(*parsed, w);
      return;
    }
  }
  w.String(text);
}

// Cells of the statement's current row, read with sqlite3_column_* (no Value).
struct StatementCells {
  const db::Statement& stmt;
  size_t index;  // the row's position in the body (for keys of keyless rows)

  void Write(JsonWriter& w, size_t c, bool parse_json) const {
    int i = static_cast<int>(c);
    switch (stmt.ColumnType(i)) {
      case SQLITE_INTEGER:
        w.Int(stmt.ColumnInt(i));
        return;
      case SQLITE_FLOAT:
        w.Double(stmt.ColumnDouble(i));
        return;
      case SQLITE_TEXT:
        WriteText(w, stmt.ColumnText(i), parse_json);
        return;
      case SQLITE_BLOB:
        w.Blob(stmt.ColumnBlob(i));
        return;
      default:
        w.Null();
    }
  }
  std::string Display(size_t c) const { return stmt.Column(static_cast<int>(c)).ToDisplayString(); }
};

// Cells of one row of the page model, with their foreign-key labels.
struct ModelCells {
  const db::Rows& rows;
  size_t index;
  const std::vector<std::optional<Value>>& labels;

  const std::optional<Value>* Label(size_t c) const {
    if (labels.empty()) return nullptr;
    const std::optional<Value>& l = labels[index * rows.columns.size() + c];
    return l ? &l : nullptr;
  }
  void Write(JsonWriter& w, size_t c, bool parse_json) const {
    const Value& v = rows.at(index, c);
    if (const std::optional<Value>* label = Label(c)) {
      w.BeginObject();
      w.Key("value");
      w.WriteValue(v);
      w.Key("label");
      w.WriteValue(**label);
      w.EndObject();
      return;
    }
    if (parse_json && v.type() == Value::Type::kText) {
      WriteText(w, v.text(), true);
      return;
    }
    w.WriteValue(v);
  }
  std::string Display(size_t c) const { return rows.at(index, c).ToDisplayString(); }
};

int IndexOf(const std::vector<std::string>& columns, const std::string& name) {
  auto found = std::find(columns.begin(), columns.end(), name);
  return found == columns.end() ? -1 : static_cast<int>(found - columns.begin());
}

}  // namespace

bool IsBareShape(Shape shape) {
  return shape == Shape::kArray || shape == Shape::kArrayFirst || shape == Shape::kObject;
}

OutputOptions RowsListOutput(OutputOptions output) {
  output.shape = output.shape == Shape::kArrays ? Shape::kArrays : Shape::kObjects;
  return output;
}

format::JsonStyle JsonStyleFor(const OutputOptions& output) {
  format::JsonStyle style;
  style.infinity_as_literal = output.json_infinity;
  return style;
}

JsonRowsWriter::JsonRowsWriter(std::string& out, std::vector<std::string> columns,
                               const OutputOptions& output, RowKeyColumns keys)
    : w_(out, JsonStyleFor(output)),
      columns_(std::move(columns)),
      output_(output),
      keys_(std::move(keys)) {
  quoted_.reserve(columns_.size());
  for (const std::string& c : columns_) {
    quoted_.emplace_back();
    format::AppendJsonString(c, quoted_.back());
    json_.push_back(std::find(output_.json_columns.begin(), output_.json_columns.end(), c) !=
                    output_.json_columns.end());
  }
  if (output_.shape == Shape::kObject) {
    if (keys_.use_rowid || keys_.primary_keys.empty()) {
      key_indices_.push_back(IndexOf(columns_, "rowid"));
    } else {
      for (const std::string& pk : keys_.primary_keys) {
        key_indices_.push_back(IndexOf(columns_, pk));
      }
    }
  }
}

const char* BareBodyContentType(const OutputOptions& output) {
  return output.shape == Shape::kArray && output.newline_delimited
             ? "text/plain"
             : "application/json; charset=utf-8";
}

void JsonRowsWriter::Begin() {
  if (output_.shape == Shape::kArray && output_.newline_delimited) return;
  if (output_.shape == Shape::kObject) {
    w_.BeginObject();
  } else {
    w_.BeginArray();
  }
}

void JsonRowsWriter::End() {
  if (output_.shape == Shape::kArray && output_.newline_delimited) return;
  if (output_.shape == Shape::kObject) {
    w_.EndObject();
  } else {
    w_.EndArray();
  }
}

void JsonRowsWriter::Row(const db::Statement& stmt) { WriteRow(StatementCells{stmt, rows_}); }

void JsonRowsWriter::Row(const db::Rows& rows, size_t row,
                         const std::vector<std::optional<Value>>& labels) {
  WriteRow(ModelCells{rows, row, labels});
}

template <typename Cells>
void JsonRowsWriter::WriteObject(const Cells& cells) {
  w_.BeginObject();
  for (size_t c = 0; c < columns_.size(); ++c) {
    w_.QuotedKey(quoted_[c]);
    cells.Write(w_, c, json_[c] != 0);
  }
  w_.EndObject();
}

template <typename Cells>
std::string JsonRowsWriter::Key(const Cells& cells) const {
  if (keys_.use_rowid || keys_.primary_keys.empty()) {
    int index = key_indices_[0];
    return index < 0 ? std::to_string(cells.index)
                     : TildeEncode(cells.Display(static_cast<size_t>(index)));
  }
  // Each value tilde-encoded, joined by commas.
  std::string key;
  for (int index : key_indices_) {
    if (!key.empty()) key += ',';
    if (index >= 0) key += TildeEncode(cells.Display(static_cast<size_t>(index)));
  }
  return key;
}

template <typename Cells>
void JsonRowsWriter::WriteRow(const Cells& cells) {
  switch (output_.shape) {
    case Shape::kArrays:
      w_.BeginArray();
      for (size_t c = 0; c < columns_.size(); ++c) cells.Write(w_, c, json_[c] != 0);
      w_.EndArray();
      break;
    case Shape::kArrayFirst:
      if (!columns_.empty()) cells.Write(w_, 0, json_[0] != 0);
      break;
    case Shape::kObject:
      w_.Key(Key(cells));
      WriteObject(cells);
      break;
    case Shape::kArray:
      if (output_.newline_delimited && rows_ > 0) w_.out() += '\n';
      WriteObject(cells);
      break;
    case Shape::kObjects:
      WriteObject(cells);
      break;
  }
  ++rows_;
}

void JsonRowsSink::Start(const db::Statement& stmt) {
  for (int i = 0; i < stmt.ColumnCount(); ++i) columns_.emplace_back(stmt.ColumnName(i));
  writer_.emplace(out_, columns_, IsBareShape(output_.shape) ? output_ : RowsListOutput(output_),
                  RowKeyColumns{});
  writer_->Begin();
}

size_t JsonRowsSink::Finish() {
  writer_->End();
  return writer_->rows_written();
}

}  // namespace almanac::api
