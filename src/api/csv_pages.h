// CSV for tables, views, rows and queries (/db/table.csv, /db/table/pk.csv,
// /db/-/query.csv?sql=, /db/<canned>.csv), as Datasette's stream_csv writes them.
//
// A table's CSV runs the same planned SELECT as its JSON page (PlanTableQuery), one page of
// rows. With _stream=on it runs that SELECT without a LIMIT on a read-only connection of its
// own and steps the one statement chunk by chunk (~64 KB) from successive pool tasks, writing
// each row straight from sqlite3_column_* into the chunk: memory stays flat for any table
// size. Each chunk gets its own sql_time_limit_ms; an error after the first chunk (or the
// max_csv_mb cap) ends the body with its message, as Datasette does.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/context.h"
#include "api/pages.h"
#include "core/result.h"

namespace almanac::api {

// A streamed table CSV. Next() may be called from different threads, one call at a time.
class TableCsvStream {
 public:
  struct State;
  explicit TableCsvStream(std::unique_ptr<State> state);
  ~TableCsvStream();
  TableCsvStream(const TableCsvStream&) = delete;
  TableCsvStream& operator=(const TableCsvStream&) = delete;

  // Appends the next chunk of the body to `chunk`; false once the body is complete.
  bool Next(std::string& chunk);
  // Makes `text` (already produced) the start of the next chunk.
  void Unread(std::string text);
  // The error that ended the body early (its message is the body's last text), or OK.
  const Status& status() const;

 private:
  std::unique_ptr<State> state_;
};

struct CsvBody {
  std::string text;                        // the whole body, unless `stream` is set
  std::unique_ptr<TableCsvStream> stream;  // the body, chunk by chunk
  bool download = false;                   // _dl: text/csv with an attachment filename
  std::string filename;                    // "facetable.csv"
  int64_t cache_ttl = 0;

  std::string content_type() const {
    return download ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
  }
};

// `url_name` is the table as it appears in the URL (Datasette names the download after it).
Result<CsvBody> BuildTableCsv(const Instance& instance, const Request& request,
                              std::string_view database, std::string_view table,
                              std::string_view url_name);

Result<CsvBody> BuildRowCsv(const Instance& instance, const Request& request,
                            std::string_view database, std::string_view table,
                            std::string_view pks_path, std::string_view url_name);

// The CSV of a query page already run (SQL page or canned query). An SQL error on the page
// is an InvalidArgument (Datasette's 400 "Invalid SQL" page).
Result<CsvBody> QueryPageCsv(const Instance& instance, const Request& request,
                             const QueryPage& page, std::string_view filename_stem);

}  // namespace almanac::api
