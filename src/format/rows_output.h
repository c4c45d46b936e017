// RowsOutput: query results printed as `sqlite-utils query` prints them — a JSON array of
// objects, one row per line (the default); --nl newline-delimited JSON; --arrays rows as JSON
// arrays; --csv / --tsv (Python's csv.writer, a header row unless --no-headers); --table
// (tabulate's formats, format/text_table.h). JSON keeps non-ASCII text as is (ensure_ascii off),
// blobs as {"$base64": true, "encoded": ...}; duplicate column names become name_2 in objects.
// Output collects in a string the caller drains with Take() (tables wait for the last row).
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "format/text_table.h"

namespace almanac::format {

struct RowsOutputOptions {
  enum class Kind { kJson, kCsv, kTsv, kTable };
  Kind kind = Kind::kJson;
  bool nl = false;          // JSON: one value per line, no enclosing array
  bool arrays = false;      // JSON: rows as arrays
  bool no_headers = false;  // CSV/TSV/table
  bool json_cols = false;   // JSON: text holding a JSON object or array is embedded as JSON
  TableStyle table_style = TableStyle::kSimple;
};

class RowsOutput {
 public:
  explicit RowsOutput(RowsOutputOptions options) : options_(options) {}

  // `raw_json[i]` marks a column whose text is already JSON (written as is in JSON output).
  void Begin(const std::vector<std::string>& columns, std::vector<bool> raw_json = {});
  void Row(const std::vector<Value>& row);
  void End();
  // The output so far (all of it for a table, after End), leaving the buffer empty.
  std::string Take() {
    std::string taken;
    taken.swap(out_);
    return taken;
  }

 private:
  void JsonRow(const std::vector<Value>& row);

  RowsOutputOptions options_;
  std::vector<std::string> columns_;
  std::vector<std::string> quoted_keys_;
  std::vector<bool> raw_json_;
  std::vector<std::vector<Value>> table_rows_;
  std::string out_;
  size_t rows_ = 0;
};

}  // namespace almanac::format
