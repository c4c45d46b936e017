#include "history/versions.h"

#include "db/execute.h"
#include "history/json_spans.h"

namespace almanac::history {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view StripBom(std::string_view content) {
  if (content.substr(0, kBom.size()) == kBom) content.remove_prefix(kBom.size());
  return content;
}

format::JsonValue FromCell(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return format::JsonValue();
    case Value::Type::kInteger:
      return format::JsonValue::Int(v.integer());
    case Value::Type::kReal:
      return format::JsonValue::Double(v.real());
    case Value::Type::kText:
      return format::JsonValue::String(v.text());
    case Value::Type::kBlob:
      return format::JsonValue::String(v.blob());
  }
  return format::JsonValue();
}

}  // namespace

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
  VersionItems items;
  items.objects.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    format::JsonValue::Object object;
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      object.emplace_back(rows.columns[c], FromCell(rows.at(r, c)));
    }
    items.objects.push_back(format::JsonValue::MakeObject(std::move(object)));
  }
  return items;
}

Result<VersionItems> VersionParser::ParseCsv(std::string_view) const {
  return InvalidArgument("CSV is not supported yet");
}

}  // namespace almanac::history
