#include "api/table.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "api/extras.h"
#include "api/facets.h"
#include "api/json_rows.h"
#include "api/labels.h"
#include "api/resolve.h"
#include "api/table_extras.h"
#include "api/table_filters.h"
#include "core/url.h"
#include "db/execute.h"
#include "sql/table_select.h"

namespace almanac::api {
namespace {

std::vector<std::string> SplitComponents(std::string_view token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t comma = token.find(',', start);
    parts.push_back(TildeDecode(token.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

bool Truthy(const Request& request, std::string_view name) {
  const std::string* v = request.Arg(name);
  return v && !v->empty();
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// ?_col= and ?_nocol= (Datasette's _columns_to_select).
Result<std::vector<std::string>> SelectedColumns(const Request& request,
                                                 const db::TableInfo& table) {
  std::vector<std::string> all = table.ColumnNames();
  auto in_table = [&](const std::string& c) {
    return std::find(all.begin(), all.end(), c) != all.end();
  };
  std::vector<std::string> columns = all;
  if (request.HasArg("_col")) {
    columns = table.primary_keys;
    std::vector<std::string> cols = request.Args("_col");
    std::vector<std::string> bad;
    for (const std::string& c : cols) {
      if (!in_table(c)) bad.push_back(c);
    }
    if (!bad.empty()) return InvalidArgument("_col=" + JoinComma(bad) + " - invalid columns");
    for (const std::string& c : cols) {
      if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    }
  }
  if (request.HasArg("_nocol")) {
    std::vector<std::string> nocols = request.Args("_nocol");
    std::vector<std::string> bad;
    for (const std::string& c : nocols) {
      bool is_pk = std::find(table.primary_keys.begin(), table.primary_keys.end(), c) !=
                   table.primary_keys.end();
      if (!in_table(c) || is_pk) bad.push_back(c);
    }
    if (!bad.empty()) return InvalidArgument("_nocol=" + JoinComma(bad) + " - invalid columns");
    std::erase_if(columns, [&](const std::string& c) {
      return std::find(nocols.begin(), nocols.end(), c) != nocols.end();
    });
  }
  return columns;
}

struct SortChoice {
  std::optional<std::string> column;
  bool descending = false;
};

std::vector<std::string> SortableColumns(const config::TableOptions& options,
                                         const db::TableInfo& table) {
  std::vector<std::string> sortable =
      options.sortable_columns ? *options.sortable_columns : table.ColumnNames();
  if (table.uses_rowid()) sortable.emplace_back("rowid");
  return sortable;
}

Result<SortChoice> ChooseSort(const Request& request, const config::TableOptions& options,
                              const std::vector<std::string>& sortable) {
  const std::string* sort = request.Arg("_sort");
  const std::string* sort_desc = request.Arg("_sort_desc");
  std::optional<std::string> asc = sort && !sort->empty() ? std::optional(*sort) : std::nullopt;
  std::optional<std::string> desc =
      sort_desc && !sort_desc->empty() ? std::optional(*sort_desc) : std::nullopt;
  if (!asc && !desc) {
    asc = options.sort;
    desc = options.sort_desc;
  }
  if (asc && desc) return InvalidArgument("Cannot use _sort and _sort_desc at the same time");
  if (!asc && !desc) return SortChoice{};
  const std::string& column = asc ? *asc : *desc;
  if (std::find(sortable.begin(), sortable.end(), column) == sortable.end()) {
    return InvalidArgument("Cannot sort table by " + column);
  }
  return SortChoice{column, desc.has_value()};
}

Status ApplyNext(const Request& request, const SortChoice& sort, bool is_view,
                 sql::TableSelect& select) {
  const std::string* next = request.Arg("_next");
  if (!next || next->empty()) return Status::Ok();
  if (is_view) {
    int64_t offset = 0;
    auto [ptr, ec] = std::from_chars(next->data(), next->data() + next->size(), offset);
    if (ec != std::errc() || ptr != next->data() + next->size() || offset < 0) {
      return InvalidArgument("_next must be an integer for views");
    }
    select.offset = offset;
    return Status::Ok();
  }
  std::vector<std::string> parts = SplitComponents(*next);
  if (sort.column && parts.size() > 1) {
    if (!next->starts_with("$null,")) select.after_sort_value = Value::Text(parts[0]);
    parts.erase(parts.begin());
  }
  std::vector<Value> keys;
  for (std::string& p : parts) keys.push_back(Value::Text(std::move(p)));
  select.after_keys = std::move(keys);
  return Status::Ok();
}

Status ExpandLabels(const Instance& instance, const Request& request, const ResolvedTable& resolved,
                    bool html, TablePage& page) {
  std::vector<std::string> wanted = ColumnsToExpand(request, *resolved.table, html);
  for (const db::ForeignKey& fk : resolved.table->outgoing) {
    if (std::find(wanted.begin(), wanted.end(), fk.column) == wanted.end()) continue;
    int index = page.rows.ColumnIndex(fk.column);
    if (index < 0) continue;
    auto col = static_cast<size_t>(index);
    std::vector<Value> values;
    for (size_t r = 0; r < page.rows.size(); ++r) values.push_back(page.rows.at(r, col));
    ALM_ASSIGN_OR_RETURN(LabelMap labels, ExpandForeignKeys(instance, request, resolved,
                                                            *resolved.table, fk.column, values));
    page.expanded_columns.push_back(fk.column);
    if (labels.empty()) continue;
    if (page.cell_labels.empty()) page.cell_labels.resize(page.rows.cells.size());
    for (size_t r = 0; r < page.rows.size(); ++r) {
      const Value& v = page.rows.at(r, col);
      if (v.is_null()) continue;
      auto found = labels.find(v);
      if (found != labels.end())
        page.cell_labels[r * page.rows.columns.size() + col] = found->second;
    }
  }
  return Status::Ok();
}

// Row `row` of `rows` as a URL segment (see RowPath).
std::string RowPathOf(const db::Rows& rows, size_t row, const std::vector<std::string>& pks,
                      bool use_rowid) {
  std::vector<std::string> values;
  for (const std::string& key : use_rowid ? std::vector<std::string>{"rowid"} : pks) {
    int index = rows.ColumnIndex(key);
    if (index < 0) return "";
    values.push_back(rows.at(row, static_cast<size_t>(index)).ToDisplayString());
  }
  return EncodeRowPath(values);
}

// The next page's token and URL when the SELECT found a row after the page: `rows` holds the
// page's last row at `last` (with the sort column, even when ?_col= hid it).
void SetNext(const Request& request, const SortChoice& sort, const sql::TableSelect& select,
             int64_t page_size, const db::Rows& rows, size_t last, TablePage& page) {
  std::string next_value = page.is_view ? std::to_string(select.offset + page_size)
                                        : RowPathOf(rows, last, page.primary_keys, page.use_rowid);
  std::vector<std::pair<std::string, std::optional<std::string>>> added;
  if (sort.column && !page.is_view) {
    int index = rows.ColumnIndex(*sort.column);
    std::string prefix = "$null";
    if (index >= 0 && !rows.at(last, static_cast<size_t>(index)).is_null()) {
      prefix = TildeEncode(rows.at(last, static_cast<size_t>(index)).ToDisplayString());
    }
    next_value = prefix + "," + next_value;
    added.emplace_back("_next", next_value);
    added.emplace_back(sort.descending ? "_sort_desc" : "_sort", *sort.column);
  } else {
    added.emplace_back("_next", next_value);
  }
  page.next = next_value;
  page.next_url = request.AbsoluteUrl(PathWithReplacedArgs(request, added));
}

// Direct rendering: the page's rows go from the statement into JSON as it steps. Keeps only
// the last row of the page as Values (for the next token); the row after the page is only
// counted (it tells that there is a next page).
class DirectJsonSink : public db::RowSink {
 public:
  // `hidden`: how many of the statement's last columns the page does not show (the sort
  // column, read for the next token when ?_col= left it out).
  DirectJsonSink(const TablePage& page, size_t hidden, std::string& out)
      : page_(page), hidden_(hidden), out_(out) {}

  void Start(const db::Statement& stmt) override {
    for (int i = 0; i < stmt.ColumnCount(); ++i) last_.columns.emplace_back(stmt.ColumnName(i));
    if (page_.use_rowid && !last_.columns.empty()) last_.columns[0] = "rowid";
    shown_ = last_.columns.size() - std::min(hidden_, last_.columns.size());
    OutputOptions output =
        IsBareShape(page_.output.shape) ? page_.output : RowsListOutput(page_.output);
    std::vector<std::string> columns(last_.columns.begin(),
                                     last_.columns.begin() + static_cast<ptrdiff_t>(shown_));
    writer_.emplace(out_, std::move(columns), output,
                    RowKeyColumns{page_.primary_keys, page_.use_rowid});
    writer_->Begin();
  }

  void Row(const db::Statement& stmt) override {
    size_t page_size = static_cast<size_t>(std::max<int64_t>(page_.page_size, 0));
    if (seen_ < page_size) writer_->Row(stmt);
    if (seen_ + 1 == page_size) {
      last_.cells.clear();
      for (int i = 0; i < stmt.ColumnCount(); ++i) last_.cells.push_back(stmt.Column(i));
    }
    ++seen_;
  }

  // Closes the JSON. Returns the rows written.
  size_t Finish() {
    writer_->End();
    return writer_->rows_written();
  }
  bool more() const { return page_.page_size > 0 && seen_ > static_cast<size_t>(page_.page_size); }
  const db::Rows& last_row() const { return last_; }
  std::vector<std::string> shown_columns() const {
    return {last_.columns.begin(), last_.columns.begin() + static_cast<ptrdiff_t>(shown_)};
  }

 private:
  const TablePage& page_;
  size_t hidden_;
  size_t shown_ = 0;
  std::string& out_;
  std::optional<JsonRowsWriter> writer_;
  db::Rows last_;  // column names, and the cells of the page's last row
  size_t seen_ = 0;
};

// Runs the page's SELECT into the model (page.rows), with the next token and the labels.
Status RunForModel(const Instance& instance, const Request& request, const ResolvedTable& resolved,
                   const SortChoice& sort, const sql::TableSelect& select,
                   const sql::TableSelect& run, const db::Limits& limits, bool html,
                   TablePage& page) {
  ALM_ASSIGN_OR_RETURN(db::QueryResult result,
                       db::Execute(*resolved.conn, sql::BuildSelect(run), limits));
  page.rows = std::move(result.rows);
  if (page.use_rowid && !page.rows.columns.empty()) page.rows.columns[0] = "rowid";
  if (page.page_size > 0 && page.rows.size() > static_cast<size_t>(page.page_size)) {
    SetNext(request, sort, select, page.page_size, page.rows,
            static_cast<size_t>(page.page_size) - 1, page);
  }
  if (run.columns.size() != select.columns.size()) {
    // Drop the sort column that was only read for the next token.
    db::Rows trimmed;
    trimmed.columns = page.rows.columns;
    trimmed.columns.pop_back();
    for (size_t r = 0; r < page.rows.size(); ++r) {
      for (size_t c = 0; c < trimmed.columns.size(); ++c)
        trimmed.cells.push_back(page.rows.at(r, c));
    }
    page.rows = std::move(trimmed);
  }
  page.rows.Truncate(static_cast<size_t>(std::max<int64_t>(page.page_size, 0)));
  return ExpandLabels(instance, request, resolved, html, page);
}

// Whether the JSON rows can be written straight from the statement: not when cells need
// their foreign-key labels (?_labels=, ?_label=) or are parsed as JSON (?_json=).
bool CanRenderDirectly(const Request& request, const db::TableInfo& table,
                       const OutputOptions& output) {
  return output.json_columns.empty() && ColumnsToExpand(request, table, false).empty();
}

// The sort column's value for _next when ?_col= left it out of the page: read by primary key.
Status AddMissingSortColumn(const SortChoice& sort, sql::TableSelect& select) {
  if (!sort.column) return Status::Ok();
  for (const sql::Identifier& c : select.columns) {
    if (c.name() == *sort.column) return Status::Ok();
  }
  if (*sort.column == "rowid" && select.use_rowid) return Status::Ok();
  select.columns.push_back(sql::Identifier::FromSchema(*sort.column));
  return Status::Ok();
}

}  // namespace

Result<TableQueryPlan> PlanTableQuery(const Instance& instance, const Request& request,
                                      std::string_view database, std::string_view table_name) {
  TableQueryPlan plan;
  ALM_ASSIGN_OR_RETURN(plan.resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *plan.resolved.table;
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                              auth::Resource::Table(std::string(database), table.name),
                              "You do not have permission to view this table"));
  plan.options = instance.config.Table(database, table.name);
  ALM_ASSIGN_OR_RETURN(plan.columns, SelectedColumns(request, table));
  ALM_ASSIGN_OR_RETURN(plan.filters,
                       BuildTableFilters(instance, request, plan.resolved, plan.options));
  plan.sortable_columns = SortableColumns(plan.options, table);
  ALM_ASSIGN_OR_RETURN(SortChoice sort, ChooseSort(request, plan.options, plan.sortable_columns));
  plan.sort_column = sort.column;
  plan.sort_descending = sort.descending;
  ALM_ASSIGN_OR_RETURN(plan.page_size, ParsePageSize(request.Arg("_size"), plan.options.size,
                                                     instance.settings.default_page_size,
                                                     instance.settings.max_returned_rows));

  sql::TableSelect& select = plan.select;
  select.table = sql::Identifier::FromSchema(table.name);
  for (const std::string& c : plan.columns)
    select.columns.push_back(sql::Identifier::FromSchema(c));
  for (const db::ColumnInfo& c : table.columns) {
    select.all_columns.push_back(sql::Identifier::FromSchema(c.name));
  }
  for (const std::string& pk : table.primary_keys) {
    select.primary_keys.push_back(sql::Identifier::FromSchema(pk));
  }
  select.use_rowid = table.uses_rowid();
  select.is_view = table.is_view();
  select.where = plan.filters.where;
  if (sort.column) {
    select.sort = sql::Identifier::FromSchema(*sort.column);
    select.sort_descending = sort.descending;
  }
  select.limit = plan.page_size + 1;
  ALM_RETURN_IF_ERROR(ApplyNext(request, sort, table.is_view(), select));
  return plan;
}

Result<TablePage> BuildTablePage(const Instance& instance, const Request& request,
                                 std::string_view database, std::string_view table_name,
                                 TableFormat format) {
  ALM_ASSIGN_OR_RETURN(TableQueryPlan plan,
                       PlanTableQuery(instance, request, database, table_name));
  const ResolvedTable& resolved = plan.resolved;
  const db::TableInfo& table = *resolved.table;
  const sql::TableSelect& select = plan.select;
  const TableFilters& filters = plan.filters;
  const SortChoice sort{plan.sort_column, plan.sort_descending};
  auth::Resource resource = auth::Resource::Table(std::string(database), table.name);
  bool html = format == TableFormat::kHtml;
  TablePage page;
  page.database = std::string(database);
  page.table = table.name;
  if (std::optional<std::string> redirect = FilterRedirect(request)) {
    page.redirect = std::move(redirect);
    return page;
  }
  page.is_view = table.is_view();
  page.primary_keys = table.primary_keys;
  page.use_rowid = table.uses_rowid();
  page.cache_ttl = CacheTtl(instance, request);
  page.private_ = IsPrivate(instance, request, auth::Action::kViewTable, resource);
  ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));
  if (page.output.shape == Shape::kObject && table.primary_keys.empty()) {
    return InvalidArgument("_shape=object not available for tables with no primary keys");
  }
  page.columns = plan.columns;
  page.all_columns = table.ColumnNames();
  page.sortable_columns = plan.sortable_columns;
  if (sort.column) (sort.descending ? page.sort_desc : page.sort) = sort.column;
  page.page_size = plan.page_size;
  bool shape_without_extras =
      page.output.shape == Shape::kArray || page.output.shape == Shape::kObject;

  sql::Query query = sql::BuildSelect(select);
  page.sql = query.text;
  sql::NamedQuery shown = sql::ToNamedParams(query);
  page.query_sql = std::move(shown.sql);
  page.query_params = std::move(shown.params);
  // The page's SELECT may need the sort column for the next token even when ?_col= hid it.
  sql::TableSelect run = select;
  ALM_RETURN_IF_ERROR(AddMissingSortColumn(sort, run));
  db::Limits limits = QueryLimits(instance, request);
  limits.max_rows = 0;  // the LIMIT already bounds the page
  if (format == TableFormat::kJsonDirect && CanRenderDirectly(request, table, page.output)) {
    std::string json;
    json.reserve(16 * 1024);
    DirectJsonSink sink(page, run.columns.size() - select.columns.size(), json);
    ALM_RETURN_IF_ERROR(
        db::ExecuteInto(*resolved.conn, sql::BuildSelect(run), limits, sink).status());
    page.rows_json_count = sink.Finish();
    page.rows_json = std::move(json);
    page.rows.columns = sink.shown_columns();
    if (sink.more()) {
      SetNext(request, sort, select, page.page_size, sink.last_row(), 0, page);
    }
  } else {
    ALM_RETURN_IF_ERROR(
        RunForModel(instance, request, resolved, sort, select, run, limits, html, page));
  }

  page.filters = filters.applied;
  page.extra_wheres = filters.extra_wheres;
  page.supports_search = filters.supports_search;
  page.search = filters.search;
  page.allow_execute_sql = instance.permissions.Allowed(
      request.actor, auth::Action::kExecuteSql, auth::Resource::Database(std::string(database)));

  std::set<std::string> extras = RequestedExtras(request);
  if (!html) ALM_RETURN_IF_ERROR(ValidateExtras(extras, ExtraScope::kTable));
  if (HasFacetArgs(request)) extras.insert("facet_results");
  if (page.output.shape == Shape::kObject) extras.insert("primary_keys");
  if (extras.count("count")) extras.insert("count_truncated");
  if (html) extras.insert(HtmlTableExtras().begin(), HtmlTableExtras().end());
  bool facet_arg = std::any_of(request.args.begin(), request.args.end(),
                               [](const auto& kv) { return kv.first.starts_with("_facet"); });
  if (!instance.settings.allow_facet && facet_arg) {
    return InvalidArgument("_facet= is not allowed");
  }
  TableState state{instance,
                   request,
                   resolved,
                   plan.options,
                   select,
                   filters,
                   Truthy(request, "_nocount") || shape_without_extras,
                   Truthy(request, "_nofacet") || shape_without_extras,
                   Truthy(request, "_nosuggest"),
                   html};
  ALM_RETURN_IF_ERROR(ResolveTableExtras(state, std::move(extras), page));
  return page;
}

std::string RowPath(const TablePage& page, size_t row) {
  return RowPathOf(page.rows, row, page.primary_keys, page.use_rowid);
}

}  // namespace almanac::api
