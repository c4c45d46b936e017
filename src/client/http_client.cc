// The one file that uses libcurl.
#include "client/http_client.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string_view>

#include <curl/curl.h>

#include "client/url_parts.h"

namespace almanac::client {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// The body of a request that must not be sent twice: read once, never rewound.
struct BodyReader {
  const std::string& body;
  size_t offset;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* reader = static_cast<BodyReader*>(user);
  size_t n = std::min(size * count, reader->body.size() - reader->offset);
  std::memcpy(buffer, reader->body.data() + reader->offset, n);
  reader->offset += n;
  return n;
}

int RefuseSeek(void*, curl_off_t, int) { return CURL_SEEKFUNC_CANTSEEK; }

std::string HeaderValue(CURL* curl, const char* name) {
  struct curl_header* header = nullptr;
  if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &header) == CURLHE_OK && header) {
    return header->value;
  }
  return "";
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// One line naming what failed: DNS, connection, TLS or time.
std::string Describe(CURLcode code, const std::string& url, const char* detail) {
  std::string what = detail[0] ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "DNS lookup failed for " + url + ": " + what;
    case CURLE_COULDNT_CONNECT:
      return "Could not connect to " + url + ": " + what;
    case CURLE_OPERATION_TIMEDOUT:
      return "Timed out talking to " + url + ": " + what;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS error talking to " + url + ": " + what;
    default:
      return "Connection to " + url + " failed: " + what;
  }
}

bool NeverSent(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
         code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR ||
         code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CERTPROBLEM ||
         code == CURLE_SSL_CACERT_BADFILE || code == CURLE_UNSUPPORTED_PROTOCOL ||
         code == CURLE_URL_MALFORMAT;
}

}  // namespace

struct HttpClient::Impl {
  CURL* curl = nullptr;

  // One exchange, no redirects followed.
  Result<HttpResponse> Once(const std::string& method, const std::string& url,
                            const HttpRequest& request, bool with_token, SendFailure* failure) {
    curl_easy_reset(curl);
    HttpResponse response;
    char error[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
    std::string auth = "Authorization: Bearer " + request.bearer_token;
    if (with_token && !request.bearer_token.empty())
      headers = curl_slist_append(headers, auth.c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "almanac-client");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_seconds * 1000));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    BodyReader reader{request.body, 0};
    if (method == "POST" || !request.body.empty()) {
      if (request.no_resend) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
        curl_easy_setopt(curl, CURLOPT_READDATA, &reader);
        curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, RefuseSeek);
      } else {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      }
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    if (method != "GET" && method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      long sent = 0;
      curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent);
      if (failure) {
        *failure =
            NeverSent(code) || sent == 0 ? SendFailure::kNotSent : SendFailure::kUnknownOutcome;
      }
      return Status(ErrorCode::kUnavailable, Describe(code, url, error));
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type) response.content_type = type;
    response.retry_after = HeaderValue(curl, "Retry-After");
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    if (location && IsRedirect(response.status)) response.location = location;
    response.url = url;
    return response;
  }
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->curl = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (impl_->curl) curl_easy_cleanup(impl_->curl);
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request, SendFailure* failure) {
  if (failure) *failure = SendFailure::kNone;
  if (!impl_->curl) return Internal("Could not initialise libcurl");
  std::string method = request.method;
  std::string url = request.url;
  HttpRequest current = request;
  bool with_token = !request.token_origin.empty() && Origin(url) == request.token_origin;
  for (int hops = 0;; ++hops) {
    ALM_ASSIGN_OR_RETURN(HttpResponse response,
                         impl_->Once(method, url, current, with_token, failure));
    if (response.location.empty() || hops >= request.max_redirects) return response;
    if (response.status == 303 ||
        ((response.status == 301 || response.status == 302) && method == "POST")) {
      method = "GET";
      current.body.clear();
    }
    url = response.location;
    with_token = with_token && Origin(url) == request.token_origin;
  }
}

}  // namespace almanac::client
