#include "history/versions.h"

#include <cmath>

#include "core/float_repr.h"
#include "db/execute.h"
#include "format/json_writer.h"
#include "history/json_spans.h"
#include "ingest/byte_source.h"
#include "ingest/csv_reader.h"

namespace almanac::history {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view StripBom(std::string_view content) {
  if (content.substr(0, kBom.size()) == kBom) content.remove_prefix(kBom.size());
  return content;
}

// A cell as JSON: numbers as Python prints them (they read back the same), blobs as text.
void AppendCell(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::Type::kNull:
      out += "null";
      return;
    case Value::Type::kInteger:
      out += std::to_string(v.integer());
      return;
    case Value::Type::kReal:
      if (std::isfinite(v.real())) {
        AppendPythonFloat(v.real(), out);
      } else {
        out += "null";
      }
      return;
    case Value::Type::kText:
      format::AppendJsonString(v.text(), out, false);
      return;
    case Value::Type::kBlob:
      format::AppendJsonString(v.blob(), out, false);
      return;
  }
}

}  // namespace

std::string& ItemWriter::Begin() {
  starts_.push_back(text_->size());
  *text_ += '{';
  return *text_;
}

void ItemWriter::End() { *text_ += '}'; }

VersionItems ItemWriter::Finish() {
  VersionItems items;
  starts_.push_back(text_->size());
  for (size_t i = 0; i + 1 < starts_.size(); ++i) {
    items.spans.emplace_back(text_->data() + starts_[i], starts_[i + 1] - starts_[i]);
  }
  items.text = std::move(text_);
  return items;
}

bool IsBlank(std::string_view content) {
  for (char c : content) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
  }
  return true;
}

Result<std::unique_ptr<VersionParser>> VersionParser::Create(const ParseOptions& options) {
  std::unique_ptr<VersionParser> parser(new VersionParser(options));
  if (options.format == InputFormat::kJson) {
    ALM_RETURN_IF_ERROR(CheckJsonPointer(options.items_pointer));
  }
  if (options.format == InputFormat::kSql) {
    db::OpenOptions memory;
    memory.path = "almanac-git-history-convert";
    memory.memory = true;
    ALM_ASSIGN_OR_RETURN(parser->sql_, db::Connection::Open(memory));
    // Fail early on a query that does not prepare or uses other parameters.
    Result<std::vector<std::string>> names = db::ParameterNames(*parser->sql_, options.convert_sql);
    if (!names.ok()) return InvalidArgument("--convert: " + names.status().message());
    for (const std::string& name : *names) {
      if (name != "content") {
        return InvalidArgument("--convert: the only parameter is :content, not :" + name);
      }
    }
  }
  return parser;
}

Result<VersionItems> VersionParser::Parse(std::string_view content) {
  content = StripBom(content);
  switch (options_.format) {
    case InputFormat::kCsv:
      return ParseCsv(content);
    case InputFormat::kSql:
      return ParseSql(content);
    case InputFormat::kJson:
      break;
  }
  ALM_RETURN_IF_ERROR(format::ValidateJson(content));
  VersionItems items;
  ALM_ASSIGN_OR_RETURN(items.spans, ItemSpans(content, options_.items_pointer));
  return items;
}

Result<VersionItems> VersionParser::ParseSql(std::string_view content) {
  db::ParamResolver resolve = [content](const std::string&) -> Result<Value> {
    return Value::Text(std::string(content));
  };
  Result<db::QueryResult> result = db::ExecuteUser(*sql_, options_.convert_sql, resolve, {});
  if (!result.ok()) return InvalidArgument("--convert failed: " + result.status().message());
  const db::Rows& rows = result->rows;
  std::vector<std::string> keys;
  for (const std::string& column : rows.columns) keys.push_back(format::JsonQuote(column));
  ItemWriter writer;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string& out = writer.Begin();
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      if (c) out += ", ";
      out += keys[c];
      out += ": ";
      AppendCell(rows.at(r, c), out);
    }
    writer.End();
  }
  return writer.Finish();
}

// Each record after the header becomes {"column": "value", ...}, as Python's csv.DictReader
// reads it: every value is text, a short record's missing values are null.
Result<VersionItems> VersionParser::ParseCsv(std::string_view content) const {
  ingest::CsvDialect dialect;  // excel and unix read alike
  if (options_.dialect == "excel-tab") {
    dialect = ingest::CsvDialect::Tsv();
  } else if (options_.dialect.empty()) {
    // git-history sniffs the first 1,024 characters of every version.
    std::optional<ingest::CsvDialect> sniffed = ingest::SniffDialect(content.substr(0, 1024));
    if (sniffed) dialect = *sniffed;
  }
  std::unique_ptr<ingest::ByteSource> source = ingest::StringViewSource(content);
  ingest::CsvReader::Options read_as_python;
  read_as_python.keep_line_endings = true;
  ingest::CsvReader reader(*source, dialect, read_as_python);
  ItemWriter writer;
  ALM_ASSIGN_OR_RETURN(bool has_header, reader.Next());
  if (!has_header) return writer.Finish();
  std::vector<std::string> keys;
  for (std::string_view name : reader.fields()) keys.push_back(format::JsonQuote(name));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    const std::vector<std::string_view>& fields = reader.fields();
    for (size_t i = keys.size(); i < fields.size(); ++i) {
      if (!fields[i].empty()) {
        return InvalidArgument("CSV line " + std::to_string(reader.line()) + " has " +
                               std::to_string(fields.size()) + " values but the header names " +
                               std::to_string(keys.size()) + " columns");
      }
    }
    std::string& out = writer.Begin();
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ", ";
      out += keys[i];
      out += ": ";
      if (i < fields.size()) {
        format::AppendJsonString(fields[i], out, false);
      } else {
        out += "null";
      }
    }
    writer.End();
  }
  return writer.Finish();
}

}  // namespace almanac::history
