// CSV rows the way Datasette's stream_csv writes them: a header (unless _header=off), one line
// per row through format::CsvWriter, BLOB cells as absolute `.blob` URLs, `<col>_label`
// columns after expanded foreign keys (labels looked up by the caller, api/labels.h), and the
// max_csv_mb cap (Datasette stops there and appends "CSV contains more than N bytes"). Rows come
// straight from a db::Statement (no Value per cell) or from an in-memory db::Rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/context.h"
#include "api/labels.h"
#include "db/connection.h"
#include "db/rows.h"
#include "format/csv_writer.h"

namespace almanac::api {

// The CSV query-string options.
struct CsvOptions {
  bool header = true;     // _header=off leaves the header row out
  bool download = false;  // _dl: text/csv and Content-Disposition: attachment
  bool stream = false;    // _stream: every row of a table, ignoring max_returned_rows
  int64_t max_bytes = 0;  // max_csv_mb in bytes; 0 = no cap
};

// InvalidArgument "CSV streaming is disabled" (allow_csv_stream off) and
// "_next not allowed for CSV streaming", as Datasette answers.
Result<CsvOptions> ParseCsvOptions(const Instance& instance, const Request& request);

// How BLOB cells become links.
struct BlobLinks {
  // Table and row pages: "http://host/db/table/" — the row's path, ".blob?_blob_column=" and
  // the column follow. Empty for queries.
  std::string row_prefix;
  std::vector<size_t> pk_indices;  // result columns making up the row path
  // Queries (and views): this page's URL with the .blob format, up to "_blob_column=";
  // the column and "&_blob_hash=<sha256>" follow, then `query_url_suffix`.
  std::string query_prefix;
  std::string query_suffix;
};

// Links for rows of `table` in `database` (row_prefix form).
BlobLinks RowBlobLinks(const Request& request, const Urls& urls, std::string_view database,
                       std::string_view table, std::vector<size_t> pk_indices);
// Links for a query page, or any page whose rows have no address (Datasette's
// path_with_format(request, format="blob", replace_format="csv", ...)).
BlobLinks QueryBlobLinks(const Request& request);

class CsvEmitter {
 public:
  // `label_columns`: positions (ascending) of the columns followed by a `<col>_label` column.
  CsvEmitter(std::vector<std::string> columns, std::vector<size_t> label_columns, BlobLinks links,
             int64_t max_bytes);

  // Appends the header row. False when it alone exceeds the cap.
  bool Header(std::string& out);
  // Appends the statement's current row (an emitter without label columns). False when the
  // cap was reached: the row is left out and Datasette's message written instead; stop there.
  bool Row(const db::Statement& stmt, std::string& out);
  // Appends row `row` of `rows`; `labels` holds one map per label column (empty: none), and
  // a value missing from its map gets an empty label.
  bool Row(const db::Rows& rows, size_t row, std::string& out,
           const std::vector<LabelMap>& labels = {});

  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<size_t>& label_columns() const { return label_columns_; }

 private:
  template <typename Source>
  bool WriteRow(const Source& source, std::string& out, const std::vector<LabelMap>& labels);
  template <typename Source>
  const std::string& BlobUrl(const Source& source, size_t column, std::string_view bytes);
  bool Account(std::string& out, size_t row_start);

  std::vector<std::string> columns_;
  std::vector<size_t> label_columns_;
  BlobLinks links_;
  int64_t max_bytes_;
  int64_t written_ = 0;
  std::string url_;  // reused for blob URLs
};

}  // namespace almanac::api
