// RecordSource: the records of one input file, whatever its format, as column indices and
// cells ready to bind. CSV/TSV (a header row, or untitled_1... with no_headers), a JSON array
// or newline-delimited JSON (objects; nested ones flattened to a_b columns on request;
// {"$base64": true, "encoded": ...} values decoded to blobs), lines (one "line" column per
// line) or the whole text (one "text" column). Formats come from the options, else the file
// extension, else the first bytes (JSON when they start with [ or {, else CSV with the
// delimiter sniffed).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/byte_source.h"
#include "ingest/types.h"

namespace almanac::ingest {

enum class InputFormat { kCsv, kTsv, kJson, kNdjson, kLines, kText };

struct InputOptions {
  std::optional<InputFormat> format;  // nullopt: by extension, else by the first bytes
  std::optional<char> delimiter;      // CSV: instead of "," (TSV: "\t")
  std::optional<char> quote;          // CSV/TSV: instead of '"'
  bool sniff = false;                 // CSV: guess delimiter and quote from the first lines
  bool no_headers = false;            // CSV/TSV: the first row is data
  std::string encoding;               // "" = UTF-8
  bool flatten = false;               // JSON: {"a": {"b": 1}} -> column a_b
  bool empty_null = false;            // CSV/TSV: empty cells are NULL
};

struct Record {
  std::vector<uint32_t> columns;  // indices into RecordSource::columns()
  std::vector<Cell> cells;        // one per column, valid until the next call to Next
  uint64_t line = 0;              // where the record starts, for error messages
};

// A record held elsewhere (a RecordBatch): its columns and cells side by side.
struct RecordView {
  std::span<const uint32_t> columns;
  std::span<const Cell> cells;
  uint64_t line = 0;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Reads the next record; false at the end. Errors name the line.
  virtual Result<bool> Next(Record& record) = 0;
  // Every column name met so far, in order of first appearance (CSV: the header, unique).
  const std::vector<std::string>& columns() const { return columns_; }
  InputFormat format() const { return format_; }
  // CSV/TSV: cells are text, typed by detection.
  bool tabular() const { return format_ == InputFormat::kCsv || format_ == InputFormat::kTsv; }
  // JSON: reads up to `records` records ahead (served by Next afterwards), so that
  // SuggestedType covers them — sqlite-utils creates a table from its first batch.
  virtual Status Prefetch(size_t records) {
    (void)records;
    return Status::Ok();
  }
  // The type sqlite-utils would give a column from the values read so far.
  virtual ColumnType SuggestedType(size_t column) const {
    (void)column;
    return ColumnType::kText;
  }
  // Starts again at the first record (a second pass).
  virtual Status Rewind() = 0;
  virtual uint64_t position() const = 0;
  virtual std::optional<uint64_t> size() const = 0;

 protected:
  std::vector<std::string> columns_;
  InputFormat format_ = InputFormat::kCsv;
};

// Opens the records of `bytes`; `name` (a file name, or "-") gives the extension.
Result<std::unique_ptr<RecordSource>> OpenRecords(std::unique_ptr<ByteSource> bytes,
                                                  const std::string& name,
                                                  const InputOptions& options);

// The format a file name's extension implies: .csv, .tsv/.tab, .json, .jsonl/.ndjson/.nl.
std::optional<InputFormat> FormatFromExtension(const std::string& name);

// `names` made unique (SQLite compares names ignoring ASCII case): a later "id" becomes "id_2"
// (or _3, ... skipping names already taken), as sqlite-utils' dedupe_keys does.
std::vector<std::string> DedupeNames(const std::vector<std::string>& names);

}  // namespace almanac::ingest
