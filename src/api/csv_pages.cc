#include "api/csv_pages.h"

#include <algorithm>
#include <optional>

#include "api/csv_output.h"
#include "api/labels.h"
#include "api/resolve.h"
#include "api/row.h"
#include "api/table.h"
#include "db/connection.h"
#include "db/execute.h"

namespace almanac::api {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// Rows read at a time when foreign keys are labelled: one label query per batch and column.
constexpr size_t kLabelBatch = 100;

}  // namespace

struct TableCsvStream::State {
  // Declared first so that it is destroyed last: `stmt` belongs to it.
  std::unique_ptr<db::Connection> owned;  // the stream's own connection (_stream=on)
  db::Connection* conn = nullptr;
  db::Statement stmt;
  std::optional<CsvEmitter> emitter;
  std::vector<LabelPlan> labels;  // one per emitter label column
  bool header = true;
  int64_t row_limit = -1;  // -1: every row
  int64_t rows = 0;
  // Each chunk may take this long (streams); otherwise the whole body shares `deadline`.
  std::optional<db::Clock::duration> per_chunk;
  db::Clock::time_point deadline = db::Clock::time_point::max();
  bool done = false;
  Status status;
  std::string pending;  // made before the response started; goes out first

  void Finish() {
    done = true;
    if (conn) conn->ClearDeadline();
    stmt = db::Statement();  // gives the statement back before the connection goes
    owned.reset();
    conn = nullptr;
  }
  void Fail(Status error, std::string& chunk) {
    chunk += error.message();
    status = std::move(error);
    Finish();
  }
  // The next row: false at the end or at the row limit.
  Result<bool> Step() {
    if (row_limit >= 0 && rows >= row_limit) return false;
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) ++rows;
    return row;
  }
  void Fill(std::string& chunk);
  void FillRows(std::string& chunk, size_t full);
  void FillLabelled(std::string& chunk, size_t full, db::Clock::time_point chunk_deadline);
  Result<std::vector<LabelMap>> Labels(const db::Rows& batch, db::Clock::time_point until);
};

void TableCsvStream::State::Fill(std::string& chunk) {
  if (done) return;
  const size_t full = chunk.size() + kChunkBytes;  // `chunk` may already hold earlier text
  chunk.reserve(full + 4096);
  if (header) {
    header = false;
    if (!emitter->Header(chunk)) return Finish();
  }
  db::Clock::time_point chunk_deadline = per_chunk ? db::Clock::now() + *per_chunk : deadline;
  conn->SetDeadline(chunk_deadline);
  if (labels.empty()) {
    FillRows(chunk, full);
  } else {
    FillLabelled(chunk, full, chunk_deadline);
  }
  if (conn) conn->ClearDeadline();
}

// Rows straight from the statement into the chunk.
void TableCsvStream::State::FillRows(std::string& chunk, size_t full) {
  while (chunk.size() < full) {
    Result<bool> step = Step();
    if (!step.ok()) return Fail(step.status(), chunk);
    if (!*step || !emitter->Row(stmt, chunk)) return Finish();  // the end, or max_csv_mb
  }
}

// Rows in batches, each batch's foreign keys labelled with one query per column.
void TableCsvStream::State::FillLabelled(std::string& chunk, size_t full,
                                         db::Clock::time_point chunk_deadline) {
  while (chunk.size() < full) {
    db::Rows batch;
    batch.columns = emitter->columns();
    bool end = false;
    conn->SetDeadline(chunk_deadline);
    while (batch.size() < kLabelBatch) {
      Result<bool> step = Step();
      if (!step.ok()) return Fail(step.status(), chunk);
      if (!*step) {
        end = true;
        break;
      }
      for (int i = 0; i < stmt.ColumnCount(); ++i) batch.cells.push_back(stmt.Column(i));
    }
    Result<std::vector<LabelMap>> maps = Labels(batch, chunk_deadline);
    if (!maps.ok()) return Fail(maps.status(), chunk);
    for (size_t r = 0; r < batch.size(); ++r) {
      if (!emitter->Row(batch, r, chunk, *maps)) return Finish();  // max_csv_mb
    }
    if (end) return Finish();
  }
}

Result<std::vector<LabelMap>> TableCsvStream::State::Labels(const db::Rows& batch,
                                                            db::Clock::time_point until) {
  std::vector<LabelMap> maps;
  for (size_t k = 0; k < labels.size(); ++k) {
    size_t column = emitter->label_columns()[k];
    std::vector<Value> values;
    for (size_t r = 0; r < batch.size(); ++r) {
      if (!batch.at(r, column).is_null()) values.push_back(batch.at(r, column));
    }
    ALM_ASSIGN_OR_RETURN(LabelMap map, LookupLabels(*conn, labels[k], values, until));
    maps.push_back(std::move(map));
  }
  return maps;
}

TableCsvStream::TableCsvStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
TableCsvStream::~TableCsvStream() = default;

bool TableCsvStream::Next(std::string& chunk) {
  if (!state_->pending.empty()) {
    chunk.append(state_->pending);
    state_->pending = std::string();
    return !state_->done;
  }
  state_->Fill(chunk);
  return !state_->done;
}

void TableCsvStream::Unread(std::string text) { state_->pending = std::move(text); }

const Status& TableCsvStream::status() const { return state_->status; }

namespace {

std::string CsvFilename(std::string_view stem) { return std::string(stem) + ".csv"; }

// Column positions of `names` in `columns` (those found).
std::vector<size_t> IndicesOf(const std::vector<std::string>& columns,
                              const std::vector<std::string>& names) {
  std::vector<size_t> out;
  for (const std::string& name : names) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

// The foreign-key columns of the result to label (?_label=, ?_labels=on), in result order.
Status PlanCsvLabels(const Instance& instance, const Request& request,
                     const ResolvedTable& resolved, const std::vector<std::string>& columns,
                     std::vector<size_t>& positions, std::vector<LabelPlan>& plans) {
  std::vector<std::string> wanted = ColumnsToExpand(request, *resolved.table, false);
  std::vector<std::pair<size_t, LabelPlan>> found;
  for (const db::ForeignKey& fk : resolved.table->outgoing) {
    if (std::find(wanted.begin(), wanted.end(), fk.column) == wanted.end()) continue;
    auto position = std::find(columns.begin(), columns.end(), fk.column);
    if (position == columns.end()) continue;
    ALM_ASSIGN_OR_RETURN(std::optional<LabelPlan> plan,
                         PlanLabels(instance, request, resolved, *resolved.table, fk.column));
    if (plan) found.emplace_back(static_cast<size_t>(position - columns.begin()), std::move(*plan));
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [position, plan] : found) {
    positions.push_back(position);
    plans.push_back(std::move(plan));
  }
  return Status::Ok();
}

}  // namespace

Result<CsvBody> BuildTableCsv(const Instance& instance, const Request& request,
                              std::string_view database, std::string_view table_name,
                              std::string_view url_name) {
  ALM_ASSIGN_OR_RETURN(TableQueryPlan plan,
                       PlanTableQuery(instance, request, database, table_name));
  ALM_ASSIGN_OR_RETURN(CsvOptions options, ParseCsvOptions(instance, request));
  const db::TableInfo& table = *plan.resolved.table;
  if (options.stream) plan.select.limit = -1;  // SQLite: no limit
  sql::Query query = sql::BuildSelect(plan.select);

  auto state = std::make_unique<TableCsvStream::State>();
  state->conn = plan.resolved.conn;
  if (options.stream) {
    ALM_ASSIGN_OR_RETURN(state->owned, plan.resolved.db->OpenStreamingConnection());
    state->conn = state->owned.get();
  }
  ALM_ASSIGN_OR_RETURN(state->stmt, db::PrepareQuery(*state->conn, query));
  std::vector<std::string> columns;
  for (int i = 0; i < state->stmt.ColumnCount(); ++i) {
    columns.emplace_back(state->stmt.ColumnName(i));
  }
  if (table.uses_rowid() && !columns.empty()) columns[0] = "rowid";

  std::vector<size_t> label_columns;
  ALM_RETURN_IF_ERROR(
      PlanCsvLabels(instance, request, plan.resolved, columns, label_columns, state->labels));
  BlobLinks links;
  if (table.is_view()) {
    links = QueryBlobLinks(request);
  } else {
    std::vector<std::string> pks =
        table.uses_rowid() ? std::vector<std::string>{"rowid"} : table.primary_keys;
    links = RowBlobLinks(request, instance.urls(), database, table.name, IndicesOf(columns, pks));
  }
  state->emitter.emplace(std::move(columns), std::move(label_columns), std::move(links),
                         options.max_bytes);
  state->header = options.header;
  state->row_limit = options.stream ? -1 : plan.page_size;
  db::Limits limits = QueryLimits(instance, request);
  if (options.stream && limits.deadline != db::Clock::time_point::max()) {
    state->per_chunk = limits.deadline - db::Clock::now();
  } else {
    state->deadline = limits.deadline;
  }

  CsvBody body;
  body.download = options.download;
  body.filename = CsvFilename(url_name);
  body.cache_ttl = CacheTtl(instance, request);
  auto stream = std::make_unique<TableCsvStream>(std::move(state));
  // The first chunk is made now, so that an error before any row is an error page, as in
  // Datasette (which fetches the first page before it starts the response).
  bool more = stream->Next(body.text);
  if (!stream->status().ok()) return stream->status();
  if (!more) return body;
  if (!options.stream) {
    while (stream->Next(body.text)) {
    }
    if (!stream->status().ok()) return stream->status();
    return body;
  }
  stream->Unread(std::move(body.text));
  body.text.clear();
  body.stream = std::move(stream);
  return body;
}

Result<CsvBody> BuildRowCsv(const Instance& instance, const Request& request,
                            std::string_view database, std::string_view table,
                            std::string_view pks_path, std::string_view url_name) {
  ALM_ASSIGN_OR_RETURN(CsvOptions options, ParseCsvOptions(instance, request));
  ALM_ASSIGN_OR_RETURN(RowPage page, BuildRowPage(instance, request, database, table, pks_path));
  std::vector<size_t> pk_indices = IndicesOf(page.rows.columns, page.primary_keys);
  CsvEmitter emitter(page.rows.columns, {},
                     RowBlobLinks(request, instance.urls(), database, page.table, pk_indices),
                     options.max_bytes);
  CsvBody body;
  body.download = options.download;
  body.filename = CsvFilename(url_name);
  if (options.header && !emitter.Header(body.text)) return body;
  for (size_t r = 0; r < page.rows.size(); ++r) {
    if (!emitter.Row(page.rows, r, body.text)) break;
  }
  return body;
}

Result<CsvBody> QueryPageCsv(const Instance& instance, const Request& request,
                             const QueryPage& page, std::string_view filename_stem) {
  ALM_ASSIGN_OR_RETURN(CsvOptions options, ParseCsvOptions(instance, request));
  if (page.error) return InvalidArgument(*page.error);
  CsvEmitter emitter(page.rows.columns, {}, QueryBlobLinks(request), options.max_bytes);
  CsvBody body;
  body.download = options.download;
  body.filename = CsvFilename(filename_stem);
  body.cache_ttl = page.cache_ttl.value_or(0);
  if (options.header && !emitter.Header(body.text)) return body;
  for (size_t r = 0; r < page.rows.size(); ++r) {
    if (!emitter.Row(page.rows, r, body.text)) break;
  }
  return body;
}

}  // namespace almanac::api
