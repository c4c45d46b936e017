#include "cli/one_request.h"

#include <future>
#include <memory>
#include <utility>

namespace almanac::cli {
namespace {

http::Request BuildRequest(const OneRequest& one) {
  http::Request request;
  request.method = "GET";
  size_t question = one.target.find('?');
  request.path = one.target.substr(0, question);
  if (question != std::string::npos) request.query_string = one.target.substr(question + 1);
  if (request.path.empty() || request.path[0] != '/') request.path.insert(0, "/");
  request.headers.emplace_back("host", "localhost");
  if (!one.token.empty()) request.headers.emplace_back("authorization", "Bearer " + one.token);
  if (!one.actor_cookie.empty()) {
    request.headers.emplace_back("cookie", "ds_actor=" + one.actor_cookie);
  }
  return request;
}

// The final response of a deferred one (a queued write), waited for on this thread.
http::Response Resolve(http::Response response) {
  while (response.deferred) {
    auto ready = std::make_shared<std::promise<http::Response>>();
    std::future<http::Response> answer = ready->get_future();
    response.deferred([ready](http::Response r) { ready->set_value(std::move(r)); });
    response = answer.get();
  }
  return response;
}

void Write(std::FILE* out, std::string_view bytes) {
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), out);
}

// Pulls a streamed body to the end, writing each part as it arrives.
void DrainStream(http::BodyStream& stream, std::FILE* out) {
  for (bool more = true; more;) {
    std::promise<std::pair<std::string, bool>> next;
    std::future<std::pair<std::string, bool>> part = next.get_future();
    stream.Pull([&next](std::string bytes, bool has_more) {
      next.set_value({std::move(bytes), has_more});
    });
    auto [bytes, has_more] = part.get();
    Write(out, bytes);
    more = has_more;
  }
}

}  // namespace

int AnswerOneRequest(http::Handler& handler, const OneRequest& one, std::FILE* out) {
  http::Request request = BuildRequest(one);
  http::Response response = Resolve(handler.Handle(request));
  if (one.print_headers) {
    std::fprintf(out, "HTTP/1.1 %d\n", response.status);
    std::fprintf(out, "content-type: %s\n", response.content_type.c_str());
    for (const auto& [name, value] : response.headers) {
      std::fprintf(out, "%s: %s\n", name.c_str(), value.c_str());
    }
    std::fputc('\n', out);
  }
  // Like click.echo(response.text): the body, then a newline.
  if (response.stream) {
    DrainStream(*response.stream, out);
  } else {
    Write(out, response.body);
  }
  std::fputc('\n', out);
  std::fflush(out);
  return response.status == 200 ? 0 : 1;
}

}  // namespace almanac::cli
