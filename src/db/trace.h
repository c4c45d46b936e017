// RequestTrace: the SQL one request ran, for Datasette's `?_trace=1` (with the trace_debug
// setting). A TraceScope makes a trace current on its thread; db::Execute and ExecuteUser
// record each statement they run there (its text, parameters, start and end). Work fanned out
// to other threads (facet counts on the SQL pool) is not recorded.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/value.h"

namespace almanac::db {

struct TraceEntry {
  double start = 0;  // seconds on a monotonic clock (Python's time.perf_counter())
  double end = 0;
  std::string file;  // the connection's main database file ("" for memory databases)
  std::string sql;
  // Positional parameters (builder SQL), or named ones (users' SQL: names without ":").
  std::vector<Value> params;
  std::vector<std::string> param_names;
};

class RequestTrace {
 public:
  void Add(TraceEntry entry);
  std::vector<TraceEntry> entries() const;

 private:
  mutable std::mutex mutex_;
  std::vector<TraceEntry> entries_;
};

// Makes `trace` the current thread's trace until destroyed (then the previous one again).
class TraceScope {
 public:
  explicit TraceScope(RequestTrace* trace);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  RequestTrace* previous_;
};

// The current thread's trace, or nullptr.
RequestTrace* CurrentTrace();
// Seconds on the monotonic clock the entries use.
double TraceClockSeconds();

}  // namespace almanac::db
