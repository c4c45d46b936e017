// `rows`: a table's rows through Datasette's table JSON, with dclient's filters. `--all`
// follows the pages with the `next` token (sent back to the same instance URL, never to the
// host a `next_url` names) and prints each page as it arrives: memory stays flat. (Asking
// for the next page while printing this one was measured and gained nothing: the server's
// JSON pages are the bottleneck, see bench/client_bench.py.)
#include <cstdio>

#include "client/commands.h"
#include "client/python_text.h"
#include "client/remote.h"
#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;

// dclient's convenience aliases; every other operation goes to the server as written.
std::string DatasetteOp(const std::string& op) { return op == "eq" ? "exact" : op; }

QueryArgs RowParams(const RowsOptions& options) {
  QueryArgs params = {{"_shape", "objects"}};
  for (size_t i = 0; i + 2 < options.filters.size(); i += 3) {
    params.emplace_back(options.filters[i] + "__" + DatasetteOp(options.filters[i + 1]),
                        options.filters[i + 2]);
  }
  if (options.search) params.emplace_back("_search", *options.search);
  if (options.sort) params.emplace_back("_sort", *options.sort);
  if (options.sort_desc) params.emplace_back("_sort_desc", *options.sort_desc);
  if (options.size && *options.size != 0) {
    params.emplace_back("_size", std::to_string(*options.size));
  } else if (options.all) {
    params.emplace_back("_size", "max");  // fewer round trips; the output is the same
  }
  for (const std::string& c : options.columns) params.emplace_back("_col", c);
  for (const std::string& c : options.nocolumns) params.emplace_back("_nocol", c);
  return params;
}

Status PageError(const HttpResponse& response) {
  if (!format::ParseJson(response.body).ok()) {
    return InvalidArgument(std::to_string(response.status) + " status code");
  }
  return InvalidArgument(std::to_string(response.status) + " status code. " +
                         ErrorDetail(response));
}

}  // namespace

Status RunRows(const RowsOptions& options, ConfigStore& config, Io io) {
  if (options.filters.size() % 3 != 0) {
    return InvalidArgument("-f/--filter takes three values: column, operation and value");
  }
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  std::string database, table;
  if (options.table) {
    database = options.db_or_table;
    table = *options.table;
  } else {
    table = options.db_or_table;
    std::optional<std::string> alias = InstanceAlias(options.target.instance, target.url, config);
    ALM_ASSIGN_OR_RETURN(database, ResolveDatabase(options.target.database, alias, config));
  }
  Remote remote(target);
  std::string path = PathSegment(database) + PathSegment(table) + ".json";
  if (options.verbose) std::fprintf(io.err, "%s\n", JoinUrl(target.url, path).c_str());
  QueryArgs params = RowParams(options);
  RowPrinter printer(options.format, io.out);
  int64_t total = 0;
  bool have_columns = false;
  bool limited = options.limit && *options.limit > 0;
  Result<HttpResponse> current = remote.Get(path, params);
  for (;;) {
    if (!current.ok()) return current.status();
    if (current->status != 200) return PageError(*current);
    ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(*current));
    if (!data.is_object()) return InvalidArgument("Unexpected response: not a JSON object");
    const JsonValue* next = data.Find("next");
    const JsonValue* next_url = data.Find("next_url");
    bool more = options.all && next && !next->is_null() && next_url && !next_url->is_null();
    if (more) {
      if (params.back().first == "_next") params.pop_back();
      params.emplace_back("_next", PyStr(*next));
    }
    if (const JsonValue* columns = data.Find("columns");
        !have_columns && columns && columns->is_array()) {
      std::vector<std::string> names;
      for (const JsonValue& c : columns->as_array()) names.push_back(PyStr(c));
      printer.SetColumns(std::move(names));
    }
    have_columns = true;
    if (const JsonValue* rows = data.Find("rows"); rows && rows->is_array()) {
      for (const JsonValue& row : rows->as_array()) {
        if (limited && total >= *options.limit) break;
        printer.Add(row);
        ++total;
      }
    }
    if (!more || (limited && total >= *options.limit)) break;
    current = remote.Get(path, params);
  }
  printer.Finish();
  return Status::Ok();
}

}  // namespace almanac::client
