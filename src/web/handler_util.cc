#include "web/handler_util.h"

#include "core/url.h"

namespace almanac::web {

bool IsJson(const std::string& format) { return format == "json"; }

ErrorFormat FormatForPath(const api::Request& request) {
  return request.path.ends_with(".json") ? ErrorFormat::kJson : ErrorFormat::kHtml;
}

Response FromBody(api::Body body) {
  Response r;
  r.content_type = std::move(body.content_type);
  r.body = std::move(body.text);
  return r;
}

void AddCacheHeaders(Response& response, int64_t ttl) {
  if (response.status != 200) return;
  response.AddHeader("Cache-Control", ttl == 0 ? "no-cache" : "max-age=" + std::to_string(ttl));
}

void AddCorsHeaders(Response& response) {
  response.AddHeader("Access-Control-Allow-Origin", "*");
  response.AddHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
  response.AddHeader("Access-Control-Expose-Headers", "Link");
  response.AddHeader("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS");
  response.AddHeader("Access-Control-Max-Age", "3600");
}

// Pages that exist only as JSON and HTML: anything else is a 404.
bool KnownFormat(const std::string& format) { return format.empty() || format == "json"; }

Response NotFoundResponse(const api::Request& request, const Status& status) {
  // A percent-encoded path is retried in tilde encoding, as Datasette does.
  if (request.path.find('%') != std::string::npos) {
    std::string path;
    for (char c : request.path) {
      if (c == '~') {
        path += "~7E";
      } else if (c == '%') {
        path += '~';
      } else if (c == '.') {
        path += "~2E";
      } else {
        path += c;
      }
    }
    if (!request.query_string.empty()) path += "?" + request.query_string;
    return Response::Redirect(path);
  }
  if (request.path.size() > 1 && request.path.ends_with('/')) {
    std::string_view path = request.path;
    while (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
    // "//host" would be read as another site: keep a single leading slash.
    while (path.size() > 1 && path.starts_with("//")) path.remove_prefix(1);
    std::string target(path);
    if (!request.query_string.empty()) target += "?" + request.query_string;
    return Response::Redirect(target);
  }
  return ErrorResponse(status, FormatForPath(request));
}

Response MethodNotAllowed(const api::Request& request) {
  if (request.method == "OPTIONS") return Response::Text(200, "ok");  // a CORS preflight
  const std::string* type = request.Header("content-type");
  if (request.path.ends_with(".json") || (type && *type == "application/json")) {
    return ErrorResponse(Status(ErrorCode::kMethodNotAllowed, "Method not allowed"),
                         ErrorFormat::kJson);
  }
  return Response::Text(405, "Method not allowed");
}

// The URL of an HTML page's JSON twin: ".json" added to the path, or ?_format=json when the
// path already has a dot in it (Datasette's path_with_format).
std::string JsonTwinUrl(const api::Request& request) {
  std::string path = request.path;
  std::string query = request.query_string;
  if (path.find('.') != std::string::npos) {
    query += (query.empty() ? "" : "&") + std::string("_format=json");
  } else {
    path += ".json";
  }
  return request.AbsoluteUrl(query.empty() ? path : path + "?" + query);
}

}  // namespace almanac::web
