// Datasette's `?_trace=1` (when the trace_debug setting is on): the SQL a request ran, added to
// its answer as a `_trace` block (a JSON object body) or a <pre> before </body> (an HTML page).
#pragma once

#include <functional>

#include "api/context.h"
#include "http/message.h"

namespace almanac::web {

// Runs `handle` and, when the request asks for a trace, records the SQL it runs on this thread
// (db/trace.h) and adds the trace to its answer. Streamed and deferred answers are left alone.
http::Response WithTrace(const api::Instance& instance, const api::Request& request,
                         const std::function<http::Response()>& handle);

}  // namespace almanac::web
