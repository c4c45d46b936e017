#include "ingest/tabular.h"

#include <algorithm>

#include "ingest/csv_reader.h"
#include "ingest/json_reader.h"
#include "ingest/types.h"

namespace almanac::ingest {
namespace {

using format::JsonValue;

std::string Trim(std::string_view s) {
  size_t start = s.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  return std::string(s.substr(start, s.find_last_not_of(" \t") - start + 1));
}

// The cell as the column's type makes it (an integer, a float, null, or the text).
JsonValue Typed(const std::string& text, ColumnType type) {
  Result<Cell> cell = ConvertText(text, type, "");
  if (!cell.ok()) return JsonValue::String(text);
  switch (cell->kind) {
    case Cell::Kind::kInteger:
      return JsonValue::Int(cell->integer);
    case Cell::Kind::kReal:
      return JsonValue::Double(cell->real);
    case Cell::Kind::kNull:
      return JsonValue();
    default:
      return JsonValue::String(text);
  }
}

// CSV/TSV through the streaming CsvReader; types by TypeGuess (leading zeros stay text).
Result<Tabular> FromDelimited(std::string_view text, TabularFormat format, size_t max_rows) {
  auto source = StringViewSource(text);
  CsvReader reader(*source, format == TabularFormat::kTsv ? CsvDialect::Tsv() : CsvDialect{});
  ALM_ASSIGN_OR_RETURN(bool any, reader.Next());
  if (!any) return InvalidArgument("No rows found: the first line must name the columns");
  Tabular t;
  t.format = format;
  for (std::string_view name : reader.fields()) {
    std::string trimmed = Trim(name);
    if (trimmed.empty()) {
      return InvalidArgument("Column " + std::to_string(t.columns.size() + 1) + " has no name");
    }
    if (std::find(t.columns.begin(), t.columns.end(), trimmed) != t.columns.end()) {
      return InvalidArgument("Duplicate column name: " + trimmed);
    }
    t.columns.push_back(trimmed);
  }
  size_t n = t.columns.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<TypeGuess> guesses(n);
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    if (cells.size() == max_rows) {
      return InvalidArgument("Too many rows: at most " + std::to_string(max_rows));
    }
    if (reader.fields().size() > n) {
      return InvalidArgument("Row " + std::to_string(cells.size() + 1) + " has " +
                             std::to_string(reader.fields().size()) + " values but there are " +
                             std::to_string(n) + " columns");
    }
    std::vector<std::string> row(reader.fields().begin(), reader.fields().end());
    row.resize(n);
    for (size_t c = 0; c < n; ++c) guesses[c].Observe(row[c]);
    cells.push_back(std::move(row));
  }
  for (const TypeGuess& g : guesses) {
    t.types.push_back(g.type() == ColumnType::kInteger && !cells.empty() ? "integer"
                      : g.type() == ColumnType::kReal && !cells.empty()  ? "float"
                                                                         : "text");
  }
  for (auto& row : cells) {
    std::vector<JsonValue> out;
    for (size_t c = 0; c < n; ++c) {
      out.push_back(t.types[c] == "text"      ? JsonValue::String(std::move(row[c]))
                    : t.types[c] == "integer" ? Typed(row[c], ColumnType::kInteger)
                                              : Typed(row[c], ColumnType::kReal));
    }
    t.rows.push_back(std::move(out));
  }
  return t;
}

std::string JsonType(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kInt:
    case JsonValue::Type::kBool:
      return "integer";
    case JsonValue::Type::kDouble:
      return "float";
    case JsonValue::Type::kString:
      return "text";
    case JsonValue::Type::kArray:
    case JsonValue::Type::kObject:
      return "json";
    default:
      return "";
  }
}

Result<Tabular> FromObjects(const std::vector<const JsonValue*>& objects, TabularFormat format) {
  Tabular t;
  t.format = format;
  for (const JsonValue* object : objects) {
    for (const auto& [key, value] : object->as_object()) {
      if (std::find(t.columns.begin(), t.columns.end(), key) == t.columns.end()) {
        t.columns.push_back(key);
      }
    }
  }
  if (t.columns.empty()) return InvalidArgument("No columns found in the JSON");
  t.types.assign(t.columns.size(), "");
  for (const JsonValue* object : objects) {
    std::vector<JsonValue> row(t.columns.size());
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (const JsonValue* v = object->Find(t.columns[c])) {
        row[c] = *v;
        std::string type = JsonType(*v);
        if (type.empty()) continue;
        std::string& current = t.types[c];
        if (current.empty())
          current = type;
        else if (current != type) {
          current =
              (current == "integer" && type == "float") || (current == "float" && type == "integer")
                  ? "float"
                  : "text";
        }
      }
    }
    t.rows.push_back(std::move(row));
  }
  for (std::string& type : t.types) {
    if (type.empty()) type = "text";
  }
  return t;
}

Result<Tabular> FromJson(std::string_view text, TabularFormat format, size_t max_rows) {
  auto source = StringViewSource(text);
  JsonReader reader(*source, format == TabularFormat::kNdjson ? JsonReader::Layout::kLines
                                                              : JsonReader::Layout::kAuto);
  std::vector<JsonValue> parsed;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    if (parsed.size() == max_rows) {
      return InvalidArgument("Too many rows: at most " + std::to_string(max_rows));
    }
    parsed.push_back(reader.record());
  }
  std::vector<const JsonValue*> objects;
  for (const JsonValue& v : parsed) objects.push_back(&v);
  return FromObjects(objects, format);
}

}  // namespace

std::string_view FormatName(TabularFormat format) {
  switch (format) {
    case TabularFormat::kCsv:
      return "csv";
    case TabularFormat::kTsv:
      return "tsv";
    case TabularFormat::kJson:
      return "json";
    case TabularFormat::kNdjson:
      return "ndjson";
  }
  return "csv";
}

std::optional<TabularFormat> FormatByName(std::string_view name) {
  for (TabularFormat f :
       {TabularFormat::kCsv, TabularFormat::kTsv, TabularFormat::kJson, TabularFormat::kNdjson}) {
    if (FormatName(f) == name) return f;
  }
  return std::nullopt;
}

TabularFormat DetectFormat(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '[' || text[first] == '{')) {
    // Several lines that each hold an object: newline-delimited JSON.
    size_t newline = text.find('\n', first);
    if (text[first] == '{' && newline != std::string_view::npos) {
      size_t next = text.find_first_not_of(" \t\r\n", newline);
      std::string_view line = text.substr(first, newline - first);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (next != std::string_view::npos && text[next] == '{' && line.ends_with("}")) {
        return TabularFormat::kNdjson;
      }
    }
    return TabularFormat::kJson;
  }
  std::string_view line = text.substr(0, text.find('\n'));
  auto tabs = std::count(line.begin(), line.end(), '\t');
  auto commas = std::count(line.begin(), line.end(), ',');
  return tabs > commas ? TabularFormat::kTsv : TabularFormat::kCsv;
}

format::JsonValue Tabular::RowsJson() const {
  JsonValue::Array out;
  for (const auto& row : rows) {
    JsonValue::Object object;
    for (size_t c = 0; c < columns.size(); ++c) object.emplace_back(columns[c], row[c]);
    out.push_back(JsonValue::MakeObject(std::move(object)));
  }
  return JsonValue::MakeArray(std::move(out));
}

Result<Tabular> ParseTabular(std::string_view text, std::optional<TabularFormat> format,
                             size_t max_rows) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  TabularFormat f = format.value_or(DetectFormat(text));
  if (f == TabularFormat::kJson || f == TabularFormat::kNdjson) return FromJson(text, f, max_rows);
  return FromDelimited(text, f, max_rows);
}

}  // namespace almanac::ingest
