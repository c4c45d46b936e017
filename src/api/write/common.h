// Shared pieces of the write endpoints (Datasette 1.0a37's write API): what an endpoint returns
// (an immediate answer, or a write for the database's queue plus the answer to give after its
// COMMIT), request-body parsing, JSON cells to SQLite values, column-type inference, row keys
// from URLs, and rows to JSON.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/context.h"
#include "api/json_output.h"
#include "core/result.h"
#include "db/database.h"
#include "db/rows.h"
#include "db/write_queue.h"
#include "format/json_value.h"
#include "format/json_writer.h"
#include "sql/write_sql.h"

namespace almanac::api::write {

// A finished answer: status, JSON body and extra headers.
struct Answer {
  int status = 200;
  Body body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A validated write: `work` runs on the database's writer thread inside its own savepoint;
// `respond` builds the success answer once the transaction has committed.
struct PendingWrite {
  db::Database* db = nullptr;
  db::WriteQueue::Work work;
  std::function<Answer()> respond;
};

// What a write endpoint hands back: an answer now (previews, GET pages) or a pending write.
// Errors before the write are the Result's Status.
struct Outcome {
  std::optional<Answer> answer;
  std::optional<PendingWrite> pending;

  static Outcome Now(Answer a) { return Outcome{std::move(a), std::nullopt}; }
  static Outcome Later(PendingWrite p) { return Outcome{std::nullopt, std::move(p)}; }
};

// Runs an outcome to completion on the calling thread, waiting for its write (tests, tools).
Result<Answer> RunToCompletion(Result<Outcome> outcome);

// Headers added to every execute-write answer (Datasette's _block_framing).
std::vector<std::pair<std::string, std::string>> BlockFramingHeaders();

// The request body as JSON, whatever the Content-Type: "Invalid JSON: ..." when it is not.
Result<format::JsonValue> ParseBody(const Request& request);

// Whether `sql` starts (after spaces and comments) with INSERT, UPDATE, DELETE or REPLACE:
// the statements CPython's sqlite3 reports a rowcount for (cursor.rowcount, else -1).
bool IsDml(std::string_view sql);

// Python's repr() of a list of strings: ['a', 'b'].
std::string PythonListRepr(const std::vector<std::string>& values);

// A JSON cell as the value written to SQLite: {"$base64": true, "encoded": ...} is a blob,
// {"$raw": x} is x, other objects and arrays are stored as JSON text, booleans as 0/1.
Result<Value> CellValue(const format::JsonValue& cell);

// sqlite-utils' column type for the values a column receives across rows (suggest_column_types):
// TEXT, INTEGER, REAL or BLOB.
class TypeInference {
 public:
  void Add(const std::string& column, const format::JsonValue& cell);
  // Columns in the order first seen, with their SQL types.
  std::vector<std::pair<std::string, std::string>> Types() const;

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::set<int>> kinds_;
};

// The table's primary keys, or {"rowid"} for rowid tables.
std::vector<std::string> KeyColumns(const db::TableInfo& table);

// Splits a URL's <pks> segment (tilde-encoded, comma-joined) into values.
std::vector<std::string> SplitPks(std::string_view pks);

// The key of a row for SQL: its key columns and `values` (bound as text, as Datasette does).
sql::RowKey KeyFor(const db::TableInfo& table, const std::vector<std::string>& values);

// Adds the columns `rows` use that `table` lacks (sqlite-utils' add_missing_columns), with the
// inferred type. Names are compared case-insensitively, as SQLite does.
Status AddMissingColumns(db::Connection& conn, const db::TableInfo& table,
                         const std::vector<const format::JsonValue*>& rows);

// Runs a builder query to completion and returns its rows.
Result<db::Rows> FetchRows(db::Connection& conn, const sql::Query& query);

// {"ok": true[, "rows": [...]]} with rows as objects.
Body OkRowsBody(const db::Rows* rows);
void WriteRowObjects(format::JsonWriter& w, const db::Rows& rows);

// http://host/<db>/<table> and its .json twin.
std::string TableUrl(const Request& request, std::string_view database, std::string_view table,
                     bool json);

// The CREATE statement of `table` as sqlite_master holds it, or "" when missing.
Result<std::string> TableSchemaSql(db::Connection& conn, const std::string& table);

// SQLite's quote() of a value: the SQL literal for a DEFAULT.
Result<std::string> QuoteLiteral(db::Connection& conn, const Value& value);

// PermissionDenied(message) unless the actor may do `action` on the table (or database).
Status RequireTable(const Instance& instance, const Request& request, auth::Action action,
                    const std::string& database, const std::string& table,
                    std::string_view message);
Status RequireDatabase(const Instance& instance, const Request& request, auth::Action action,
                       const std::string& database, std::string_view message);

}  // namespace almanac::api::write
