// Page models: what each handler returns and what both the JSON writer (api/json_output)
// and the HTML renderer (ui/) draw. Plain data; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/rows.h"
#include "db/schema.h"
#include "format/json_value.h"

namespace almanac::api {

// The `_shape=` of a JSON response.
enum class Shape { kObjects, kArrays, kArray, kArrayFirst, kObject };

struct OutputOptions {
  Shape shape = Shape::kObjects;
  bool newline_delimited = false;         // _nl=on with _shape=array
  bool json_infinity = false;             // _json_infinity=on
  std::vector<std::string> json_columns;  // _json=col: parse these text cells as JSON
};

struct TablePage {
  std::string database;
  std::string table;
  bool is_view = false;
  db::Rows rows;
  std::vector<std::string> primary_keys;
  bool use_rowid = false;
  std::optional<std::string> next;
  std::optional<std::string> next_url;
  bool truncated = false;
  std::string sql;  // the SELECT that produced the rows (for the HTML page)
  int64_t cache_ttl = 5;
  OutputOptions output;
};

struct RowPage {
  std::string database;
  std::string table;
  db::Rows rows;  // exactly one row
  std::vector<std::string> primary_keys;
  std::vector<std::string> primary_key_values;
  double query_ms = 0;
  int64_t cache_ttl = 5;
  OutputOptions output;
};

struct QueryPage {
  std::string database;
  std::string sql;
  std::optional<std::string> canned_query;  // name, for canned queries
  db::Rows rows;
  bool truncated = false;
  std::optional<std::string> error;  // SQL error shown with a 400
  std::optional<int64_t> cache_ttl;  // canned queries only
  OutputOptions output;
};

struct TableSummary {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::string> primary_keys;
  std::optional<int64_t> count;
  bool count_truncated = false;
  bool hidden = false;
  std::optional<std::string> fts_table;
  std::vector<db::ForeignKey> incoming;
  std::vector<db::ForeignKey> outgoing;
  int64_t num_relationships_for_sorting = 0;  // index page only
  bool private_ = false;
};

struct DatabasePage {
  std::string database;
  std::string path;  // URL path, "/fixtures"
  int64_t size = 0;
  std::vector<TableSummary> tables;  // visible tables, then hidden ones
  int64_t hidden_count = 0;
  std::vector<std::string> views;
  std::vector<std::string> private_views;  // views anonymous users may not see
  bool private_ = false;                   // anonymous users may not see the database
  format::JsonValue queries;               // list of canned query objects
  bool allow_execute_sql = true;
  std::vector<std::pair<std::string, std::vector<std::string>>> table_columns;
  format::JsonValue metadata;
};

struct IndexDatabase {
  std::string name;
  std::string path;
  std::string color;
  std::vector<TableSummary> tables;  // first five visible tables
  std::vector<std::string> views;
  std::vector<std::string> private_views;  // views anonymous users may not see
  bool private_ = false;                   // anonymous users may not see the database
  bool tables_and_views_more = false;
  int64_t tables_count = 0;
  int64_t table_rows_sum = 0;
  bool show_table_row_counts = true;
  int64_t hidden_table_rows_sum = 0;
  int64_t hidden_tables_count = 0;
  int64_t views_count = 0;
};

struct IndexPage {
  std::vector<IndexDatabase> databases;
  format::JsonValue metadata;
};

}  // namespace almanac::api
