#include "history/versions.h"

#include <cmath>

#include "core/float_repr.h"
#include "db/execute.h"
#include "format/json_writer.h"
#include "history/json_spans.h"

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

Result<VersionItems> VersionParser::ParseCsv(std::string_view) const {
  return InvalidArgument("CSV is not supported yet");
}

}  // namespace almanac::history
