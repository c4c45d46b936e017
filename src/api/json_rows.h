// JSON rows in every _shape of Datasette 1.0a37: the list under "rows" for the enveloped
// shapes (objects, arrays) or the whole body for the bare ones (array, array with _nl=on,
// arrayfirst, object). Rows come either from the page model (db::Rows, with foreign-key
// labels) or straight from a stepping db::Statement, with no Value built per cell. Both go
// through the same code, so they write the same bytes; cells follow JsonWriter::WriteValue.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/pages.h"
#include "db/connection.h"
#include "db/execute.h"
#include "db/rows.h"
#include "format/json_writer.h"

namespace almanac::api {

// How a row is keyed under _shape=object (Datasette's path_from_row_pks).
struct RowKeyColumns {
  std::vector<std::string> primary_keys;
  bool use_rowid = false;  // key by the "rowid" column (also when there are no primary keys)
};

// True for the shapes whose body is the rows alone (array, arrayfirst, object).
bool IsBareShape(Shape shape);

// The content type of a bare body: text/plain for _shape=array&_nl=on, otherwise JSON.
const char* BareBodyContentType(const OutputOptions& output);

// The options of the "rows" list of an enveloped body: _shape=arrays writes arrays, every
// other shape objects.
OutputOptions RowsListOutput(OutputOptions output);

// The JSON style of a body written with `output` (_json_infinity).
format::JsonStyle JsonStyleFor(const OutputOptions& output);

class JsonRowsWriter {
 public:
  // Rows go to `out` under the names `columns` (a statement's further columns are left out);
  // `output.json_columns` are the text columns parsed as JSON (?_json=).
  JsonRowsWriter(std::string& out, std::vector<std::string> columns, const OutputOptions& output,
                 RowKeyColumns keys);

  void Begin();
  // The statement's current row.
  void Row(const db::Statement& stmt);
  // Row `row` of `rows` (same columns); `labels`, when not empty, holds one entry per cell of
  // `rows`, and a set entry writes the cell as {"value": cell, "label": entry}.
  void Row(const db::Rows& rows, size_t row, const std::vector<std::optional<Value>>& labels);
  void End();

  size_t rows_written() const { return rows_; }

 private:
  template <typename Cells>
  void WriteRow(const Cells& cells);
  template <typename Cells>
  void WriteObject(const Cells& cells);
  template <typename Cells>
  std::string Key(const Cells& cells) const;

  format::JsonWriter w_;
  std::vector<std::string> columns_;
  std::vector<std::string> quoted_;  // each column name as a quoted JSON string
  std::vector<char> json_;           // per column: parse text as JSON (?_json=)
  OutputOptions output_;
  RowKeyColumns keys_;
  std::vector<int> key_indices_;  // _shape=object: the key columns (-1: missing)
  size_t rows_ = 0;
};

// A db::RowSink writing every row of a statement through a JsonRowsWriter, under the
// statement's column names: the whole body for the bare shapes, the "rows" list otherwise.
class JsonRowsSink : public db::RowSink {
 public:
  JsonRowsSink(std::string& out, const OutputOptions& output) : out_(out), output_(output) {}
  void Start(const db::Statement& stmt) override;
  void Row(const db::Statement& stmt) override { writer_->Row(stmt); }
  // Closes the list (or body); returns the rows written.
  size_t Finish();
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::string& out_;
  OutputOptions output_;
  std::vector<std::string> columns_;
  std::optional<JsonRowsWriter> writer_;
};

}  // namespace almanac::api
