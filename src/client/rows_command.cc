// `rows`: a table's rows through Datasette's table JSON, with dclient's filters. `--all`
// follows the pages with the `next` token (sent back to the same instance URL, never to the
// host a `next_url` names) and prints each page as it arrives: memory stays flat. A thread of
// its own fetches and parses the pages ahead of the printing (bench/client_bench.py measures
// it against the server's CSV stream).
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

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

// One page of rows, parsed: the table JSON object, or why there is none.
Result<JsonValue> ReadPage(const Result<HttpResponse>& response) {
  if (!response.ok()) return response.status();
  if (response->status != 200) return PageError(*response);
  ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(*response));
  if (!data.is_object()) return InvalidArgument("Unexpected response: not a JSON object");
  return data;
}

// The `next` token when the page says there is another one.
std::optional<std::string> NextToken(const JsonValue& page) {
  const JsonValue* next = page.Find("next");
  const JsonValue* next_url = page.Find("next_url");
  if (!next || next->is_null() || !next_url || next_url->is_null()) return std::nullopt;
  return PyStr(*next);
}

// The pages of one `rows` command, fetched and parsed on a thread of their own, so that the
// server makes page N+1 and this process parses it while page N is printed. With `follow`
// (--all) it asks for the next page as soon as one is parsed; at most kAhead parsed pages wait
// to be printed (memory stays flat). Without `follow`, one page. An error ends the pages.
class PageFetcher {
 public:
  PageFetcher(Remote& remote, std::string path, QueryArgs params, bool follow)
      : remote_(remote), path_(std::move(path)), params_(std::move(params)), follow_(follow) {
    thread_ = std::thread([this] { Run(); });
  }
  // Stops after the request in flight, if any.
  ~PageFetcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  PageFetcher(const PageFetcher&) = delete;
  PageFetcher& operator=(const PageFetcher&) = delete;

  // The next page (or the error that ended them); nullopt after the last one.
  std::optional<Result<JsonValue>> Next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty() || finished_; });
    if (ready_.empty()) return std::nullopt;
    Result<JsonValue> page = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return page;
  }

 private:
  static constexpr size_t kAhead = 2;

  void Run() noexcept {
    for (;;) {
      Result<JsonValue> page = ReadPage(remote_.Get(path_, params_));
      std::optional<std::string> next =
          follow_ && page.ok() ? NextToken(*page) : std::optional<std::string>();
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return ready_.size() < kAhead || stopping_; });
      ready_.push_back(std::move(page));
      changed_.notify_all();
      if (!next || stopping_) break;
      if (params_.back().first == "_next") params_.pop_back();
      params_.emplace_back("_next", *next);
    }
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  Remote& remote_;
  std::string path_;
  QueryArgs params_;  // never empty: _shape comes first
  bool follow_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Result<JsonValue>> ready_;
  bool stopping_ = false;
  bool finished_ = false;
  std::thread thread_;  // last: started once everything it uses exists
};

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
  RowPrinter printer(options.format, io.out);
  int64_t total = 0;
  bool have_columns = false;
  bool limited = options.limit && *options.limit > 0;
  PageFetcher pages(remote, path, RowParams(options), options.all);
  while (std::optional<Result<JsonValue>> page = pages.Next()) {
    if (!page->ok()) return page->status();
    const JsonValue& data = **page;
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
    if (limited && total >= *options.limit) break;
  }
  printer.Finish();
  return Status::Ok();
}

}  // namespace almanac::client
