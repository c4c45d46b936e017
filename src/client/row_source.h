// RowSource: the rows `insert`/`upsert` send, read from a file or standard input.
//
// This is the client's one adapter over the ingest readers, so that it can move to the
// streaming readers being built in src/ingest/ without touching the rest of the client.
// Today it uses ingest::ParseTabular (the readers and type detection `almanac insert` uses):
//   - a file (or standard input redirected from one) is parsed whole: CSV/TSV types are
//     detected over every row, not only the first batch (dclient's limitation);
//   - a stream (a pipe, `tail -f`) is framed into records as bytes arrive and parsed one
//     batch at a time: the first batch's types are kept, later values are converted to
//     them when they parse and otherwise sent as they are; `Next()` returns early when the
//     interval's deadline passes, so rows flow while the writer is still writing.
// JSON and NDJSON objects are sent as written (no detection, as in dclient).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::client {

struct SourceOptions {
  std::string path;                   // "-" for standard input
  std::optional<std::string> format;  // "csv", "tsv", "json", "nl"; required for "-"
  std::optional<std::string> encoding;
  bool detect_types = true;
};

// A batch: CSV/TSV rows share `columns` (cells[i] lines up with them); JSON rows are objects.
struct RowBatch {
  std::vector<std::string> columns;
  std::vector<std::vector<format::JsonValue>> cells;
  std::vector<format::JsonValue> objects;

  size_t size() const { return cells.size() + objects.size(); }
  bool empty() const { return size() == 0; }
  // Row `i` as a compact JSON object, appended to `out`.
  void AppendRowJson(size_t i, std::string& out) const;
  // The value of `column` in row `i`; nullptr when the row has no such key.
  const format::JsonValue* Value(size_t i, const std::string& column) const;
};

class RowSource {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~RowSource() = default;

  // Up to `max_rows` rows; an empty batch at the end of the input. A stream returns early,
  // with at least one row, once `deadline` has passed.
  virtual Result<RowBatch> Next(size_t max_rows, Clock::time_point deadline) = 0;
  // The number of rows in the whole input, when known (files).
  virtual std::optional<size_t> total_rows() const = 0;
};

Result<std::unique_ptr<RowSource>> OpenRowSource(const SourceOptions& options);

// `text` in `encoding` as UTF-8 (iconv); a UTF-8 byte order mark is dropped.
Result<std::string> DecodeText(std::string text, const std::optional<std::string>& encoding);

}  // namespace almanac::client
