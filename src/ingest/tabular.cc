#include "ingest/tabular.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace almanac::ingest {
namespace {

using format::JsonValue;

// RFC 4180 records: quoted fields may hold separators, quotes ("") and newlines.
Result<std::vector<std::vector<std::string>>> ParseDelimited(std::string_view text, char sep) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1;
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    bool blank = record.size() == 1 && record[0].empty();
    if (!blank) records.push_back(std::move(record));
    record.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == sep) {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return InvalidArgument("Unclosed quote starting before line " + std::to_string(line));
  if (field_started || !record.empty()) end_record();
  return records;
}

// "007" stays text: leading zeros usually mean an identifier (zip codes, phone numbers).
bool LeadingZero(const std::string& s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  return s.size() > i + 1 && s[i] == '0' && s[i + 1] >= '0' && s[i + 1] <= '9';
}

bool ParseInteger(const std::string& s, int64_t* out) {
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  return ec == std::errc() && ptr == end && begin != end && !LeadingZero(s);
}

bool ParseFloat(const std::string& s, double* out) {
  if (s.empty() || LeadingZero(s)) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

// Column types for string cells, and the cells converted to them.
void DetectTypes(Tabular& t, const std::vector<std::vector<std::string>>& cells) {
  size_t n = t.columns.size();
  t.types.assign(n, "text");
  t.rows.assign(cells.size(), std::vector<JsonValue>(n));
  for (size_t c = 0; c < n; ++c) {
    bool all_int = true, all_float = true, any = false;
    for (const auto& row : cells) {
      const std::string& s = row[c];
      if (s.empty()) continue;
      any = true;
      int64_t i = 0;
      double d = 0;
      if (!ParseInteger(s, &i)) all_int = false;
      if (!ParseFloat(s, &d)) all_float = false;
    }
    if (any && all_int)
      t.types[c] = "integer";
    else if (any && all_float)
      t.types[c] = "float";
    for (size_t r = 0; r < cells.size(); ++r) {
      const std::string& s = cells[r][c];
      if (t.types[c] == "text") {
        t.rows[r][c] = JsonValue::String(s);
      } else if (s.empty()) {
        t.rows[r][c] = JsonValue();
      } else if (t.types[c] == "integer") {
        int64_t i = 0;
        ParseInteger(s, &i);
        t.rows[r][c] = JsonValue::Int(i);
      } else {
        double d = 0;
        ParseFloat(s, &d);
        t.rows[r][c] = JsonValue::Double(d);
      }
    }
  }
}

Result<Tabular> FromDelimited(std::string_view text, TabularFormat format, size_t max_rows) {
  ALM_ASSIGN_OR_RETURN(auto records,
                       ParseDelimited(text, format == TabularFormat::kTsv ? '\t' : ','));
  if (records.empty())
    return InvalidArgument("No rows found: the first line must name the columns");
  Tabular t;
  t.format = format;
  for (std::string& name : records[0]) {
    std::string trimmed = name;
    trimmed.erase(0, trimmed.find_first_not_of(" \t"));
    trimmed.erase(trimmed.find_last_not_of(" \t") + 1);
    if (trimmed.empty())
      return InvalidArgument("Column " + std::to_string(t.columns.size() + 1) + " has no name");
    if (std::find(t.columns.begin(), t.columns.end(), trimmed) != t.columns.end()) {
      return InvalidArgument("Duplicate column name: " + trimmed);
    }
    t.columns.push_back(trimmed);
  }
  if (records.size() - 1 > max_rows) {
    return InvalidArgument("Too many rows: at most " + std::to_string(max_rows));
  }
  std::vector<std::vector<std::string>> cells;
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() > t.columns.size()) {
      return InvalidArgument("Row " + std::to_string(r) + " has " +
                             std::to_string(records[r].size()) + " values but there are " +
                             std::to_string(t.columns.size()) + " columns");
    }
    records[r].resize(t.columns.size());
    cells.push_back(std::move(records[r]));
  }
  DetectTypes(t, cells);
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
  std::vector<JsonValue> parsed;
  if (format == TabularFormat::kNdjson) {
    size_t line_no = 0, start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
      ++line_no;
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
        Result<JsonValue> v = format::ParseJson(line);
        if (!v.ok())
          return InvalidArgument("Line " + std::to_string(line_no) + ": " + v.status().message());
        parsed.push_back(std::move(v).value());
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  } else {
    ALM_ASSIGN_OR_RETURN(JsonValue doc, format::ParseJson(text));
    if (doc.is_array()) {
      for (JsonValue& v : doc.as_array()) parsed.push_back(std::move(v));
    } else {
      parsed.push_back(std::move(doc));
    }
  }
  if (parsed.size() > max_rows)
    return InvalidArgument("Too many rows: at most " + std::to_string(max_rows));
  std::vector<const JsonValue*> objects;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i].is_object()) {
      return InvalidArgument("Row " + std::to_string(i + 1) + " is not a JSON object");
    }
    objects.push_back(&parsed[i]);
  }
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
