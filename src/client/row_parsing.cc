#include "client/row_parsing.h"

#include "format/json_writer.h"

namespace almanac::client {

using format::JsonValue;
using ingest::TabularFormat;

Status ParseJsonLines(std::string_view text, size_t first_line, std::vector<JsonValue>& out) {
  size_t line_no = first_line;
  for (size_t start = 0; start < text.size(); ++line_no) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Result<JsonValue> v = format::ParseJson(line);
    if (!v.ok())
      return InvalidArgument("Line " + std::to_string(line_no) + ": " + v.status().message());
    if (!v->is_object())
      return InvalidArgument("Line " + std::to_string(line_no) + " is not a JSON object");
    out.push_back(std::move(v).value());
  }
  return Status::Ok();
}

Status ParseJsonDocument(std::string_view text, std::vector<JsonValue>& out) {
  ALM_ASSIGN_OR_RETURN(JsonValue doc, format::ParseJson(text));
  if (doc.is_object()) {
    out.push_back(std::move(doc));
    return Status::Ok();
  }
  if (!doc.is_array()) return InvalidArgument("Expected a JSON array of objects");
  for (size_t i = 0; i < doc.as_array().size(); ++i) {
    if (!doc.as_array()[i].is_object())
      return InvalidArgument("Row " + std::to_string(i + 1) + " is not a JSON object");
    out.push_back(std::move(doc.as_array()[i]));
  }
  return Status::Ok();
}

Result<ingest::Tabular> ParseDelimitedRecords(std::string_view header, std::string_view records,
                                              TabularFormat f,
                                              const std::vector<bool>& force_text) {
  std::string text(header);
  if (!text.ends_with('\n')) text += '\n';
  bool sentinel = false;
  for (bool forced : force_text) sentinel = sentinel || forced;
  if (sentinel) {
    for (size_t c = 0; c < force_text.size(); ++c) {
      if (c > 0) text += f == TabularFormat::kTsv ? '\t' : ',';
      if (force_text[c]) text += 'x';
    }
    text += '\n';
  }
  text.append(records);
  ALM_ASSIGN_OR_RETURN(ingest::Tabular t, ingest::ParseTabular(text, f, SIZE_MAX));
  if (sentinel && !t.rows.empty()) t.rows.erase(t.rows.begin());
  return t;
}

TypeRank RankOf(const ingest::Tabular& t, size_t column) {
  const std::string& type = t.types[column];
  if (type == "integer") return TypeRank::kInteger;
  if (type == "float") return TypeRank::kFloat;
  for (const auto& row : t.rows) {
    if (!row[column].is_string() || !row[column].as_string().empty()) return TypeRank::kText;
  }
  return TypeRank::kEmpty;
}

void ConformCells(std::vector<std::vector<JsonValue>>& rows, const std::vector<TypeRank>& ranks) {
  for (auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < ranks.size(); ++c) {
      JsonValue& cell = row[c];
      if (ranks[c] != TypeRank::kInteger && ranks[c] != TypeRank::kFloat) continue;
      if (cell.is_string() && cell.as_string().empty()) {
        cell = JsonValue();
      } else if (ranks[c] == TypeRank::kFloat && cell.is_int()) {
        cell = JsonValue::Double(static_cast<double>(cell.as_int()));
      }
    }
  }
}

void RowBatch::AppendRowJson(size_t i, std::string& out) const {
  format::JsonWriter writer(out, {.compact = true});
  if (!objects.empty()) {
    WriteJson(objects[i], writer);
    return;
  }
  writer.BeginObject();
  for (size_t c = 0; c < columns.size(); ++c) {
    writer.Key(columns[c]);
    WriteJson(cells[i][c], writer);
  }
  writer.EndObject();
}

const JsonValue* RowBatch::Value(size_t i, const std::string& column) const {
  if (!objects.empty()) return objects[i].Find(column);
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == column) return &cells[i][c];
  }
  return nullptr;
}

}  // namespace almanac::client
