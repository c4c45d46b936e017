// The one place that turns a Status into an HTTP response: the status code for each
// ErrorCode, and Datasette's body — JSON for URLs ending in .json (and API requests),
// an HTML error page otherwise.
#pragma once

#include "core/status.h"
#include "http/message.h"

namespace almanac::web {

using http::Response;

int HttpStatus(ErrorCode code);

enum class ErrorFormat { kJson, kHtml };

Response ErrorResponse(const Status& status, ErrorFormat format);

}  // namespace almanac::web
