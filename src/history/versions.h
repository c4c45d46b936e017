// Turning one version of the tracked file into items. JSON is split into item byte ranges
// (json_spans.h) so unchanged items need no parsing; CSV records and the rows of a --convert
// query come out as objects.
//
//   --items /data/incidents   the array (or single object) at a JSON pointer in each version
//   --convert 'select ...'    a SELECT over the version's text, bound to :content; each row
//                             is one item, e.g. select value ->> 'id' as id, value ->> 'name'
//                             as name from json_each(:content, '$.incidents')
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "format/json_value.h"

namespace almanac::history {

enum class InputFormat { kJson, kCsv, kSql };

struct ParseOptions {
  InputFormat format = InputFormat::kJson;
  std::string items_pointer;  // kJson: --items
  std::string convert_sql;    // kSql: --convert
  // kCsv: "excel", "excel-tab", "unix", or "" to guess the delimiter from each version.
  std::string dialect;
};

// The items of one version: byte ranges of JSON items, or objects built already.
struct VersionItems {
  std::vector<std::string_view> spans;
  std::vector<format::JsonValue> objects;
};

class VersionParser {
 public:
  static Result<std::unique_ptr<VersionParser>> Create(const ParseOptions& options);

  // The items of `content` (which must outlive the spans). InvalidArgument explains a version
  // that cannot be read: invalid JSON, nothing at the pointer, a failing --convert query.
  Result<VersionItems> Parse(std::string_view content);

 private:
  explicit VersionParser(ParseOptions options) : options_(std::move(options)) {}
  Result<VersionItems> ParseCsv(std::string_view content) const;
  Result<VersionItems> ParseSql(std::string_view content);

  ParseOptions options_;
  std::unique_ptr<db::Connection> sql_;  // in-memory, for --convert
};

// True when `content` is empty or only ASCII whitespace (git-history skips such versions).
bool IsBlank(std::string_view content);

}  // namespace almanac::history
