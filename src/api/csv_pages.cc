#include "api/csv_pages.h"

#include <optional>

#include "api/csv_output.h"
#include "api/fk_labels.h"
#include "api/resolve.h"
#include "api/row.h"
#include "api/table.h"
#include "db/connection.h"

namespace almanac::api {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

struct TableCsvStream::State {
  // Declared first so that it is destroyed last: `stmt` belongs to it.
  std::unique_ptr<db::Connection> owned;  // the stream's own connection (_stream=on)
  db::Connection* conn = nullptr;
  db::Statement stmt;
  std::optional<CsvEmitter> emitter;
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
  void Fill(std::string& chunk);
};

void TableCsvStream::State::Fill(std::string& chunk) {
  if (done) return;
  const size_t full = chunk.size() + kChunkBytes;  // `chunk` may already hold earlier text
  chunk.reserve(full + 4096);
  if (header) {
    header = false;
    if (!emitter->Header(chunk)) return Finish();
  }
  conn->SetDeadline(per_chunk ? db::Clock::now() + *per_chunk : deadline);
  while (chunk.size() < full) {
    if (row_limit >= 0 && rows >= row_limit) {
      Finish();
      break;
    }
    Result<bool> step = stmt.Step();
    if (!step.ok()) {
      Fail(step.status(), chunk);
      break;
    }
    if (!*step) {
      Finish();
      break;
    }
    Result<bool> written = emitter->Row(stmt, chunk, conn);
    if (!written.ok()) {
      Fail(written.status(), chunk);
      break;
    }
    if (!*written) {  // the max_csv_mb cap
      Finish();
      break;
    }
    ++rows;
  }
  if (conn) conn->ClearDeadline();
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
  ALM_ASSIGN_OR_RETURN(state->stmt, state->conn->Prepare(query));
  std::vector<std::string> columns;
  for (int i = 0; i < state->stmt.ColumnCount(); ++i) {
    columns.emplace_back(state->stmt.ColumnName(i));
  }
  if (table.uses_rowid() && !columns.empty()) columns[0] = "rowid";

  ALM_ASSIGN_OR_RETURN(std::vector<LabelExpansion> labels,
                       PlanLabelExpansions(instance, request, *plan.resolved.conn,
                                           *plan.resolved.schema, database, table, columns));
  BlobLinks links;
  if (table.is_view()) {
    links = QueryBlobLinks(request);
  } else {
    std::vector<std::string> pks =
        table.uses_rowid() ? std::vector<std::string>{"rowid"} : table.primary_keys;
    links = RowBlobLinks(request, database, table.name, IndicesOf(columns, pks));
  }
  state->emitter.emplace(std::move(columns), std::move(labels), std::move(links),
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
  CsvEmitter emitter(page.rows.columns, {}, RowBlobLinks(request, database, page.table, pk_indices),
                     options.max_bytes);
  CsvBody body;
  body.download = options.download;
  body.filename = CsvFilename(url_name);
  if (options.header && !emitter.Header(body.text)) return body;
  for (size_t r = 0; r < page.rows.size(); ++r) {
    ALM_ASSIGN_OR_RETURN(bool more, emitter.Row(page.rows, r, body.text, nullptr));
    if (!more) break;
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
    ALM_ASSIGN_OR_RETURN(bool more, emitter.Row(page.rows, r, body.text, nullptr));
    if (!more) break;
  }
  return body;
}

}  // namespace almanac::api
