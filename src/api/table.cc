#include "api/table.h"

#include <charconv>
#include <set>

#include "api/resolve.h"
#include "core/url.h"
#include "sql/table_select.h"

namespace almanac::api {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

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

struct SortChoice {
  std::optional<std::string> column;
  bool descending = false;
};

Result<SortChoice> ChooseSort(const Request& request, const config::TableOptions& options,
                              const db::TableInfo& table) {
  const std::string* sort = request.Arg("_sort");
  const std::string* sort_desc = request.Arg("_sort_desc");
  std::optional<std::string> asc = sort && !sort->empty() ? std::optional(*sort) : std::nullopt;
  std::optional<std::string> desc =
      sort_desc && !sort_desc->empty() ? std::optional(*sort_desc) : std::nullopt;
  if (!asc && !desc) {
    asc = options.sort;
    desc = options.sort_desc;
  }
  if (asc && desc) {
    return InvalidArgument("Cannot use _sort and _sort_desc at the same time");
  }
  if (!asc && !desc) return SortChoice{};
  const std::string& column = asc ? *asc : *desc;
  std::set<std::string> sortable;
  if (options.sortable_columns) {
    sortable.insert(options.sortable_columns->begin(), options.sortable_columns->end());
  } else {
    for (const db::ColumnInfo& c : table.columns) sortable.insert(c.name);
  }
  if (table.uses_rowid()) sortable.insert("rowid");
  if (!sortable.count(column)) return InvalidArgument("Cannot sort table by " + column);
  return SortChoice{column, desc.has_value()};
}

// The path segment identifying a row: tilde-encoded pk values joined by commas.
std::string RowPath(const db::Rows& rows, size_t row, const TablePage& page) {
  std::string path;
  if (page.use_rowid) {
    int index = rows.ColumnIndex("rowid");
    return index < 0 ? "" : TildeEncode(rows.at(row, static_cast<size_t>(index)).ToDisplayString());
  }
  for (const std::string& pk : page.primary_keys) {
    int index = rows.ColumnIndex(pk);
    if (!path.empty()) path += ',';
    if (index >= 0) path += TildeEncode(rows.at(row, static_cast<size_t>(index)).ToDisplayString());
  }
  return path;
}

}  // namespace

Result<int64_t> ParsePageSize(const std::string* size_arg, std::optional<int64_t> configured,
                              int64_t default_size, int64_t max_returned_rows) {
  if (!size_arg || size_arg->empty()) {
    if (!configured) return default_size;
    if (*configured > max_returned_rows) {
      return InvalidArgument("_size must be <= " + std::to_string(max_returned_rows));
    }
    return *configured;
  }
  if (*size_arg == "max") return max_returned_rows;
  int64_t size = 0;
  std::string_view text = *size_arg;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (ec != std::errc() || ptr != text.data() + text.size() || size < 0) {
    return InvalidArgument("_size must be a positive integer");
  }
  if (size > max_returned_rows) {
    return InvalidArgument("_size must be <= " + std::to_string(max_returned_rows));
  }
  return size;
}

Result<OutputOptions> ParseOutputOptions(const Request& request) {
  OutputOptions out;
  if (const std::string* shape = request.Arg("_shape")) {
    if (*shape == "objects" || shape->empty()) {
      out.shape = Shape::kObjects;
    } else if (*shape == "arrays") {
      out.shape = Shape::kArrays;
    } else if (*shape == "array") {
      out.shape = Shape::kArray;
    } else if (*shape == "arrayfirst") {
      out.shape = Shape::kArrayFirst;
    } else if (*shape == "object") {
      out.shape = Shape::kObject;
    } else {
      return InvalidArgument("Invalid _shape: " + *shape);
    }
  }
  if (const std::string* nl = request.Arg("_nl")) out.newline_delimited = !nl->empty();
  if (const std::string* inf = request.Arg("_json_infinity")) out.json_infinity = !inf->empty();
  out.json_columns = request.Args("_json");
  return out;
}

int64_t CacheTtl(const Instance& instance, const Request& request) {
  const std::string* ttl = request.Arg("_ttl");
  if (ttl && IsDigits(*ttl)) {
    int64_t value = 0;
    std::from_chars(ttl->data(), ttl->data() + ttl->size(), value);
    return value;
  }
  return instance.settings.default_cache_ttl;
}

Result<TablePage> BuildTablePage(const Instance& instance, const Request& request,
                                 std::string_view database, std::string_view table_name) {
  ALM_ASSIGN_OR_RETURN(TableQueryPlan plan,
                       PlanTableQuery(instance, request, database, table_name));
  const ResolvedTable& resolved = plan.resolved;
  const db::TableInfo& table = *resolved.table;
  const sql::TableSelect& select = plan.select;
  const int64_t page_size = plan.page_size;
  const SortChoice sort{plan.sort_column, plan.sort_descending};

  TablePage page;
  page.database = std::string(database);
  page.table = table.name;
  page.is_view = table.is_view();
  page.primary_keys = table.primary_keys;
  page.use_rowid = table.uses_rowid();
  page.cache_ttl = CacheTtl(instance, request);
  ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));

  sql::Query query = sql::BuildSelect(select);
  page.sql = query.text;
  db::Limits limits = QueryLimits(instance, request);
  limits.max_rows = 0;  // the LIMIT already bounds the page
  ALM_ASSIGN_OR_RETURN(db::QueryResult result, db::Execute(*resolved.conn, query, limits));
  page.rows = std::move(result.rows);
  if (page.use_rowid && !page.rows.columns.empty()) page.rows.columns[0] = "rowid";

  if (page_size > 0 && page.rows.size() > static_cast<size_t>(page_size)) {
    size_t last = static_cast<size_t>(page_size) - 1;
    std::string next_value;
    if (page.is_view) {
      next_value = std::to_string(select.offset + page_size);
    } else {
      next_value = RowPath(page.rows, last, page);
    }
    std::vector<std::pair<std::string, std::optional<std::string>>> added;
    if (sort.column && !page.is_view) {
      int index = page.rows.ColumnIndex(*sort.column);
      std::string prefix = "$null";
      if (index >= 0 && !page.rows.at(last, static_cast<size_t>(index)).is_null()) {
        prefix = TildeEncode(page.rows.at(last, static_cast<size_t>(index)).ToDisplayString());
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
  page.rows.Truncate(static_cast<size_t>(page_size));
  return page;
}

Result<TableQueryPlan> PlanTableQuery(const Instance& instance, const Request& request,
                                      std::string_view database, std::string_view table_name) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                              auth::Resource::Table(std::string(database), table.name),
                              "You do not have permission to view this table"));
  config::TableOptions options = instance.config.Table(database, table.name);

  ALM_ASSIGN_OR_RETURN(int64_t page_size, ParsePageSize(request.Arg("_size"), options.size,
                                                        instance.settings.default_page_size,
                                                        instance.settings.max_returned_rows));
  ALM_ASSIGN_OR_RETURN(SortChoice sort, ChooseSort(request, options, table));

  TableQueryPlan plan;
  sql::TableSelect& select = plan.select;
  select.table = sql::Identifier::FromSchema(table.name);
  for (const db::ColumnInfo& c : table.columns) {
    select.columns.push_back(sql::Identifier::FromSchema(c.name));
  }
  for (const std::string& pk : table.primary_keys) {
    select.primary_keys.push_back(sql::Identifier::FromSchema(pk));
  }
  select.use_rowid = table.uses_rowid();
  select.is_view = table.is_view();
  if (sort.column) {
    select.sort = sql::Identifier::FromSchema(*sort.column);
    select.sort_descending = sort.descending;
  }
  select.limit = page_size + 1;

  const std::string* next = request.Arg("_next");
  if (next && !next->empty()) {
    if (table.is_view()) {
      int64_t offset = 0;
      auto [ptr, ec] = std::from_chars(next->data(), next->data() + next->size(), offset);
      if (ec != std::errc() || ptr != next->data() + next->size() || offset < 0) {
        return InvalidArgument("_next must be an integer for views");
      }
      select.offset = offset;
    } else {
      std::vector<std::string> parts = SplitComponents(*next);
      if (sort.column && parts.size() > 1) {
        if (next->starts_with("$null,")) {
          select.after_sort_is_null = true;
        } else {
          select.after_sort_value = Value::Text(parts[0]);
        }
        parts.erase(parts.begin());
      }
      std::vector<Value> keys;
      for (std::string& p : parts) keys.push_back(Value::Text(std::move(p)));
      select.after_keys = std::move(keys);
    }
  }

  plan.page_size = page_size;
  plan.sort_column = sort.column;
  plan.sort_descending = sort.descending;
  plan.resolved = std::move(resolved);
  return plan;
}

}  // namespace almanac::api
