// Turning one version of the tracked file into items, each as the JSON text of an object: a
// JSON version is split into its items' byte ranges (json_spans.h); CSV records and the rows
// of a --convert query are written out as JSON. Either way an item whose text equals one of
// the previous version's needs no parsing.
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

// The items of one version: the JSON text of each, in the version's bytes or in `text`.
struct VersionItems {
  std::vector<std::string_view> spans;
  std::unique_ptr<std::string> text;  // set when the items were written out here
};

class VersionParser {
 public:
  static Result<std::unique_ptr<VersionParser>> Create(const ParseOptions& options);

  // The items of `content` (which must outlive the spans unless they point into `text`).
  // InvalidArgument explains a version that cannot be read: invalid JSON, nothing at the pointer, a
  // failing --convert query.
  Result<VersionItems> Parse(std::string_view content);

 private:
  explicit VersionParser(ParseOptions options) : options_(std::move(options)) {}
  Result<VersionItems> ParseCsv(std::string_view content) const;
  Result<VersionItems> ParseSql(std::string_view content);

  ParseOptions options_;
  std::unique_ptr<db::Connection> sql_;  // in-memory, for --convert
};

// Writes items out as JSON objects, one after another in one string.
class ItemWriter {
 public:
  // Starts an item ("{" written); append `"key": value` pairs to the string returned.
  std::string& Begin();
  void End();
  VersionItems Finish();

 private:
  std::unique_ptr<std::string> text_ = std::make_unique<std::string>();
  std::vector<size_t> starts_;
};

// True when `content` is empty or only ASCII whitespace (git-history skips such versions).
bool IsBlank(std::string_view content);

}  // namespace almanac::history
