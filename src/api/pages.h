// Page models: what each handler returns and what both the JSON writer (api/json_output)
// and the HTML renderer (ui/) draw. Plain data; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/value.h"
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

// One value of a facet: how many rows have it and the URL that toggles the filter on it.
struct FacetValue {
  Value value;
  Value label;  // the value itself, or the label of the row a foreign key points to
  int64_t count = 0;
  std::string toggle_url;  // absolute URL adding (or, when selected, removing) the filter
  bool selected = false;
};

struct FacetResult {
  std::string name;        // the column
  std::string type;        // "column", "date" or "array"
  bool hideable = true;    // false for facets configured in metadata
  std::string toggle_url;  // relative URL with this facet removed
  std::vector<FacetValue> results;
  bool truncated = false;  // more values than the facet size
};

struct SuggestedFacet {
  std::string name;
  std::optional<std::string> type;  // "date" or "array"; absent for column facets
  std::string toggle_url;
};

// A filter as the page applied it, for the filter form and the "remove" links.
struct AppliedFilter {
  std::string column;
  std::string op;  // "exact", "gt", ...
  std::string value;
};

// A column as the HTML table shows it (Datasette's display_columns).
struct DisplayColumn {
  std::string name;
  bool sortable = false;
  bool is_pk = false;
  std::string type;
  bool notnull = false;
  std::optional<std::string> description;
};

// A foreign key of this table and the column labelling the rows it points to.
struct ExpandableColumn {
  db::ForeignKey fk;
  std::optional<std::string> label_column;
};

struct TablePage {
  std::string database;
  std::string table;
  bool is_view = false;
  db::Rows rows;  // the page's rows (selected columns; rowid first for rowid tables)
  // Direct rendering (TableFormat::kJsonDirect): the JSON of the rows, written straight from
  // the statement as it stepped: the "rows" list, or the whole body for the bare shapes
  // (api/json_rows.h). `rows` then holds the column names and no cells.
  std::optional<std::string> rows_json;
  size_t rows_json_count = 0;  // the rows in rows_json
  // Expanded foreign keys (?_labels=on, ?_label=col, HTML): when not empty, one entry per cell
  // of `rows`; a set entry means the cell renders as {"value": cell, "label": entry}.
  std::vector<std::optional<Value>> cell_labels;
  std::vector<std::string> expanded_columns;
  std::vector<std::string> primary_keys;
  bool use_rowid = false;
  std::optional<std::string> next;
  std::optional<std::string> next_url;
  bool truncated = false;
  std::string sql;  // the SELECT that produced the rows
  int64_t cache_ttl = 5;
  OutputOptions output;
  // When set the request is answered with a 302 to this path (form-style filters).
  std::optional<std::string> redirect;

  // Which ?_extra= blocks the JSON carries (Datasette's names), after bundling.
  std::vector<std::string> extras;

  std::vector<std::string> columns;      // the selected columns (after _col / _nocol)
  std::vector<std::string> all_columns;  // every column of the table
  std::vector<std::string> sortable_columns;
  std::optional<std::string> sort;       // _sort (or the configured default)
  std::optional<std::string> sort_desc;  // _sort_desc
  int64_t page_size = 100;

  std::optional<int64_t> count;  // null when not computed (_nocount) or timed out
  bool count_truncated = false;  // count stopped at the cap: at least this many rows
  std::string count_sql;
  std::vector<std::pair<std::string, Value>> query_params;  // :p0... for ?_extra=query
  std::string query_sql;

  std::string human_description_en;  // "where state = "CA" sorted by pk"
  std::vector<AppliedFilter> filters;
  std::vector<std::pair<std::string, std::string>> extra_wheres;  // (_where text, remove URL)
  bool supports_search = false;
  std::optional<std::string> search;  // the ?_search= text

  std::vector<FacetResult> facet_results;      // in request order (Datasette's dict order)
  std::vector<std::string> configured_facets;  // columns of the facets in the table config
  std::vector<std::string> facets_timed_out;
  std::vector<SuggestedFacet> suggested_facets;

  std::vector<DisplayColumn> display_columns;
  std::vector<ExpandableColumn> expandable_columns;
  bool private_ = false;
  bool allow_execute_sql = false;
  // Extras that are plain data (metadata, column_details, request, ...), already in JSON form.
  std::vector<std::pair<std::string, format::JsonValue>> extra_json;

  // The rows on the page, whether held in `rows` or rendered into `rows_json`.
  size_t row_count() const { return rows_json ? rows_json_count : rows.size(); }
};

// A table whose rows link to a row page's row (Datasette's foreign_key_tables).
struct ForeignKeyTable {
  db::ForeignKey fk;  // other_table, column (ours), other_column (theirs)
  int64_t count = 0;
  std::string link;  // "/db/other_table?other_column=value"
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
  std::vector<std::string> extras;  // requested ?_extra= blocks
  std::vector<ForeignKeyTable> foreign_key_tables;
  // Extras that are plain data, already in JSON form.
  std::vector<std::pair<std::string, format::JsonValue>> extra_json;
  // HTML only (LabelRowForeignKeys): for each column, the table its foreign key points to
  // ("" for none) and the label of the row it points to (nullopt when there is none to show).
  std::vector<std::string> foreign_key_targets;
  std::vector<std::optional<Value>> cell_labels;
};

struct QueryPage {
  std::string database;
  // Extras (?_extra=) that are plain data, already in JSON form.
  std::vector<std::pair<std::string, format::JsonValue>> extra_json;
  std::string sql;
  std::optional<std::string> canned_query;  // name, for canned queries
  db::Rows rows;
  // Direct rendering (JSON): the rows as JSON, written straight from the statement (the body
  // for the bare shapes, the "rows" list otherwise); `rows` then holds the column names only.
  std::optional<std::string> rows_json;
  size_t rows_json_count = 0;
  bool truncated = false;
  std::optional<std::string> error;  // SQL error shown with a 400
  std::optional<int64_t> cache_ttl;  // canned queries only
  OutputOptions output;

  // The rows of the result, whether held in `rows` or rendered into `rows_json`.
  size_t row_count() const { return rows_json ? rows_json_count : rows.size(); }
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
  std::optional<std::string> hash;  // SHA-256 of an immutable database's file
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
