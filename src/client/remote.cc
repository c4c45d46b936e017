#include "client/remote.h"

#include "client/python_text.h"
#include "client/url_parts.h"

namespace almanac::client {

using format::JsonValue;

Remote::Remote(Target target) : target_(std::move(target)), origin_(Origin(target_.url)) {}

std::string Remote::UrlFor(std::string_view path, const QueryArgs& params) const {
  std::string url = JoinUrl(target_.url, path);
  if (!params.empty()) url += "?" + EncodeQueryString(params);
  return url;
}

Result<HttpResponse> Remote::Get(std::string_view path, const QueryArgs& params) {
  HttpRequest request;
  request.url = UrlFor(path, params);
  request.bearer_token = target_.token;
  request.token_origin = origin_;
  return http_.Send(request);
}

Result<HttpResponse> Remote::Post(std::string_view path, std::string body,
                                  std::string_view content_type, SendFailure* failure,
                                  double timeout_seconds, bool no_resend) {
  HttpRequest request;
  request.method = "POST";
  request.url = IsHttpUrl(path) ? std::string(path) : JoinUrl(target_.url, path);
  request.headers.push_back("Content-Type: " + std::string(content_type));
  request.body = std::move(body);
  request.bearer_token = target_.token;
  request.token_origin = origin_;
  request.timeout_seconds = timeout_seconds;
  request.no_resend = no_resend;
  return http_.Send(request, failure);
}

Result<JsonValue> ParseBody(const HttpResponse& response) {
  Result<JsonValue> parsed = format::ParseJson(response.body);
  if (!parsed.ok()) return InvalidArgument("Response was not valid JSON");
  return parsed;
}

std::string ErrorDetail(const HttpResponse& response) {
  Result<JsonValue> parsed = format::ParseJson(response.body);
  if (!parsed.ok() || !parsed->is_object()) return "";
  std::string out;
  for (const char* key : {"title", "error"}) {
    const JsonValue* v = parsed->Find(key);
    if (!v || !v->Truthy()) continue;
    if (!out.empty()) out += ": ";
    out += v->is_string() ? v->as_string() : format::ToJsonText(*v);
  }
  return out;
}

std::string StatusError(const HttpResponse& response, std::string_view label) {
  std::string out = std::to_string(response.status) + " " + std::string(label);
  std::string detail = ErrorDetail(response);
  if (!detail.empty()) out += ": " + detail;
  return out;
}

namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Request Entity Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace

std::string ResponseRepr(const HttpResponse& response) {
  return "<Response [" + std::to_string(response.status) + " " + Reason(response.status) + "]>";
}

// textwrap.indent(text, "  "): every line that is not blank gets two spaces.
std::string IndentText(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string_view line(text.data() + start, end - start);
    if (line.find_first_not_of(" \t\r\n") != std::string_view::npos) out += "  ";
    out.append(line);
    start = end;
  }
  return out;
}

// dclient's error for a failed write: the "errors" list, one per line.
std::string WriteErrorText(const HttpResponse& response) {
  if (response.content_type.find("/json") != std::string::npos) {
    Result<JsonValue> data = format::ParseJson(response.body);
    if (data.ok() && data->is_object()) {
      if (const JsonValue* errors = data->Find("errors"); errors && errors->is_array()) {
        std::string out;
        for (const JsonValue& e : errors->as_array()) out += (out.empty() ? "" : "\n") + PyStr(e);
        return out;
      }
    }
  }
  return StatusError(response) + " for " + response.url;
}

}  // namespace almanac::client
