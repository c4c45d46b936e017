#include "web/error_response.h"

#include "api/json_output.h"
#include "format/error_json.h"
#include "ui/html.h"

namespace almanac::web {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kDeadlineExceeded:
      return 400;  // Datasette answers 400 when a query runs out of time
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Status& status, ErrorFormat format) {
  int code = HttpStatus(status.code());
  if (format == ErrorFormat::kJson) return Response::Json(code, format::ErrorJson(status, code));
  Response response = Response::Html(code, ui::RenderError(code, status.message()));
  response.html_error = status.message();
  return response;
}

}  // namespace almanac::web
