#include "format/rows_output.h"

#include <unordered_set>

#include "format/csv_writer.h"
#include "format/json_value.h"
#include "format/json_writer.h"

namespace almanac::format {
namespace {

// sqlite-utils' dedupe_keys: a later "id" becomes "id_2" (or _3, ... skipping taken names).
std::vector<std::string> Dedupe(const std::vector<std::string>& keys) {
  std::unordered_set<std::string> taken(keys.begin(), keys.end()), seen;
  std::vector<std::string> out;
  for (const std::string& key : keys) {
    std::string chosen = key;
    for (int suffix = 2; seen.count(chosen); ++suffix) {
      chosen = key + "_" + std::to_string(suffix);
      if (taken.count(chosen)) chosen = key;  // keep looking
    }
    seen.insert(chosen);
    out.push_back(chosen);
  }
  return out;
}

// Python's repr() of bytes, which is what csv.writer writes for a blob: b'\x00\x01'.
std::string BytesRepr(const std::string& bytes) {
  bool dq = bytes.find('\'') != std::string::npos && bytes.find('"') == std::string::npos;
  char quote = dq ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (unsigned char c : bytes) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 32 || c > 126) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

void CsvValue(CsvWriter& csv, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      csv.Null();
      break;
    case Value::Type::kInteger:
      csv.Integer(v.integer());
      break;
    case Value::Type::kReal:
      csv.Real(v.real());
      break;
    case Value::Type::kText:
      csv.Text(v.text());
      break;
    case Value::Type::kBlob:
      csv.Text(BytesRepr(v.blob()));
      break;
  }
}

}  // namespace

void RowsOutput::Begin(const std::vector<std::string>& columns, std::vector<bool> raw_json) {
  columns_ = columns;
  raw_json_ = std::move(raw_json);
  raw_json_.resize(columns.size(), false);
  using Kind = RowsOutputOptions::Kind;
  if (options_.kind == Kind::kCsv || options_.kind == Kind::kTsv) {
    if (options_.no_headers) return;
    CsvWriter csv(out_, options_.kind == Kind::kTsv ? '\t' : ',');
    for (const std::string& c : columns) csv.Text(c);
    csv.EndRow();
  } else if (options_.kind == Kind::kJson) {
    for (const std::string& key : Dedupe(columns)) {
      quoted_keys_.emplace_back();
      AppendJsonString(key, quoted_keys_.back(), false);
    }
  }
}

void RowsOutput::JsonRow(const std::vector<Value>& row) {
  JsonWriter json(out_, JsonStyle{false, false, true});  // Python: Infinity, UTF-8 kept
  if (!options_.arrays) json.BeginObject();
  if (options_.arrays) json.BeginArray();
  for (size_t i = 0; i < row.size(); ++i) {
    if (!options_.arrays) json.QuotedKey(quoted_keys_[i]);
    const Value& v = row[i];
    if (raw_json_[i] && v.type() == Value::Type::kText) {
      json.Raw(v.text());
      continue;
    }
    if (options_.json_cols && v.type() == Value::Type::kText) {
      size_t first = v.text().find_first_not_of(" \t\r\n");
      if (first != std::string::npos && (v.text()[first] == '{' || v.text()[first] == '[')) {
        Result<JsonValue> parsed = ParseJson(v.text());
        if (parsed.ok()) {
          WriteJson(*parsed, json);
          continue;
        }
      }
    }
    json.WriteValue(v);
  }
  if (options_.arrays) {
    json.EndArray();
  } else {
    json.EndObject();
  }
}

void RowsOutput::Row(const std::vector<Value>& row) {
  using Kind = RowsOutputOptions::Kind;
  switch (options_.kind) {
    case Kind::kCsv:
    case Kind::kTsv: {
      CsvWriter csv(out_, options_.kind == Kind::kTsv ? '\t' : ',');
      for (const Value& v : row) CsvValue(csv, v);
      csv.EndRow();
      break;
    }
    case Kind::kTable:
      table_rows_.push_back(row);
      break;
    case Kind::kJson:
      if (!options_.nl) out_ += rows_ == 0 ? "[" : ",\n ";
      JsonRow(row);
      if (options_.nl) out_ += '\n';
      break;
  }
  ++rows_;
}

void RowsOutput::End() {
  using Kind = RowsOutputOptions::Kind;
  if (options_.kind == Kind::kTable) {
    out_ += RenderTextTable(options_.no_headers ? std::vector<std::string>{} : columns_,
                            table_rows_, options_.table_style);
    out_ += '\n';
  } else if (options_.kind == Kind::kJson && !options_.nl) {
    out_ += rows_ == 0 ? "[]\n" : "]\n";
  }
}

}  // namespace almanac::format
