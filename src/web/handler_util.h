// Shared pieces of the route handlers: choosing JSON or HTML, turning a page model or a
// Status into a Response, and the headers Datasette adds (caching, CORS).
#pragma once

#include <string>

#include "api/context.h"
#include "api/json_output.h"
#include "core/result.h"
#include "http/message.h"
#include "web/error_response.h"

namespace almanac::web {

bool IsJson(const std::string& format);
// JSON errors for URLs ending in .json, HTML error pages otherwise (Datasette's rule).
ErrorFormat FormatForPath(const api::Request& request);
Response FromBody(api::Body body);
void AddCacheHeaders(Response& response, int64_t ttl);
void AddCorsHeaders(Response& response);
// Pages that exist only as JSON and HTML: any other format is a 404.
bool KnownFormat(const std::string& format);
// A 404; or, as Datasette's handle_404 does, a redirect to the tilde-encoded form of a
// percent-encoded path, or to the path without its trailing slashes.
Response NotFoundResponse(const api::Request& request, const Status& status);
// OPTIONS (a CORS preflight) is "ok"; otherwise 405 "Method not allowed": a JSON error for
// .json paths and JSON bodies, else plain text.
Response MethodNotAllowed(const api::Request& request);
// The URL of an HTML page's JSON twin.
std::string JsonTwinUrl(const api::Request& request);

template <typename Page, typename JsonFn, typename HtmlFn>
Response Render(const Result<Page>& page, const api::Request& request, const std::string& format,
                JsonFn json, HtmlFn html) {
  if (!page.ok()) return ErrorResponse(page.status(), FormatForPath(request));
  if (IsJson(format)) return FromBody(json(*page));
  return Response::Html(200, html(*page));
}

}  // namespace almanac::web
