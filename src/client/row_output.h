// RowPrinter: rows (JSON objects) printed in dclient's output formats, streamed as they come
// so `rows --all` runs in flat memory (except --table, which needs every row for its widths):
//   json   json.dumps(rows, indent=2)          nl     one json.dumps(row) per line
//   csv    csv.writer, str() of each value       tsv    the same with tabs
//   table  columns padded to the widest str() value, "-" rules under the header
// Values print as Python's str() prints them (None, True, 1.5), as dclient does.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/json_value.h"

namespace almanac::client {

enum class OutputFormat { kJson, kCsv, kTsv, kNl, kTable };

class RowPrinter {
 public:
  RowPrinter(OutputFormat format, std::FILE* out) : format_(format), out_(out) {}

  // The column list (a query's "columns"); without it, the first row's keys are used.
  void SetColumns(std::vector<std::string> columns) { columns_ = std::move(columns); }
  // One row: a JSON object.
  void Add(const format::JsonValue& row);
  // Ends the output (the closing "]", or the whole table).
  void Finish();

 private:
  void AddDelimited(const format::JsonValue& row);
  void Flush(bool force);
  void EnsureColumns(const format::JsonValue& row);

  OutputFormat format_;
  std::FILE* out_;
  std::optional<std::vector<std::string>> columns_;
  std::vector<std::vector<std::string>> table_;  // --table only
  std::string buffer_;
  size_t rows_ = 0;
};

// Python's csv.writer line for `fields` ("\r\n" ended, QUOTE_MINIMAL) appended to `out`.
void AppendDelimitedLine(const std::vector<std::string>& fields, char delimiter, std::string& out);

}  // namespace almanac::client
