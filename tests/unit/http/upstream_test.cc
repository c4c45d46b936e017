// UpstreamPool against a Server of the test's own on a Unix socket: small answers come back
// whole, large and chunked ones as streams read part by part, request bodies are streamed up,
// and hop-by-hop headers stay behind.
#include "http/upstream.h"

#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "http/server.h"

namespace almanac::http {
namespace {

class Upstream : public Handler {
 public:
  BodyMode BodyModeFor(const Request&) const override { return BodyMode::kBuffer; }
  Response Handle(Request& request) override {
    if (request.path == "/big") return Response::Text(200, std::string(1 << 20, 'b'));
    if (request.path == "/chunked") {
      Response response;
      response.stream = std::make_shared<Parts>();
      return response;
    }
    std::string headers;
    for (const auto& [name, value] : request.headers) headers += name + "=" + value + ";";
    Response response =
        Response::Text(200, request.method + " " + request.path + "?" + request.query_string + " " +
                                std::to_string(request.body.size()) + " " + headers);
    response.AddHeader("X-Upstream", "yes");
    return response;
  }

 private:
  class Parts : public BodyStream {
   public:
    void Pull(Deliver deliver) override {
      ++n_;
      deliver("part" + std::to_string(n_) + ";", n_ < 3);
    }

   private:
    int n_ = 0;
  };
};

// A request body delivered in `parts` pieces of `size` bytes.
class Pieces : public BodyReader {
 public:
  Pieces(int parts, size_t size) : left_(parts), size_(size) {}
  void Read(Deliver deliver) override {
    --left_;
    std::string bytes(size_, 'u');
    deliver(Status::Ok(), bytes, left_ == 0);
  }
  std::optional<uint64_t> length() const override { return std::nullopt; }

 private:
  int left_;
  size_t size_;
};

Response Send(UpstreamPool& pool, const std::string& path, Request request) {
  std::promise<Result<Response>> answer;
  pool.Send(path, std::move(request), nullptr,
            [&answer](Result<Response> r) { answer.set_value(std::move(r)); });
  Result<Response> result = answer.get_future().get();
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? std::move(result).value() : Response{};
}

std::string Drain(BodyStream& stream) {
  std::string all;
  for (bool more = true; more;) {
    std::promise<std::pair<std::string, bool>> part;
    stream.Pull([&part](std::string bytes, bool m) { part.set_value({std::move(bytes), m}); });
    auto [bytes, m] = part.get_future().get();
    all += bytes;
    more = m;
  }
  return all;
}

class UpstreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/alm-upstream-" + std::to_string(::getpid()) + ".sock";
    ASSERT_TRUE(server_.ListenUnix(path_).ok());
    thread_ = std::thread([this] { server_.Run(); });
  }
  void TearDown() override {
    server_.Stop();
    thread_.join();
  }

  Upstream handler_;
  Server server_{ServerOptions{}, handler_};
  std::thread thread_;
  std::string path_;
};

TEST_F(UpstreamTest, SmallAnswersComeBackWholeAndHopByHopHeadersStay) {
  UpstreamPool pool;
  for (int i = 0; i < 3; ++i) {  // the second and third reuse the kept-alive connection
    Request request;
    request.method = "GET";
    request.path = "/x";
    request.query_string = "a=1";
    request.headers = {{"connection", "close"}, {"x-keep", "1"}, {"te", "trailers"}};
    Response response = Send(pool, path_, std::move(request));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.stream, nullptr);
    EXPECT_TRUE(response.body.starts_with("GET /x?a=1 0 ")) << response.body;
    EXPECT_NE(response.body.find("x-keep=1;"), std::string::npos);
    EXPECT_EQ(response.body.find("connection="), std::string::npos);
    EXPECT_EQ(response.body.find("te="), std::string::npos);
    ASSERT_NE(response.Header("x-upstream"), nullptr);
    EXPECT_EQ(response.content_type, "text/plain; charset=utf-8");
  }
}

TEST_F(UpstreamTest, LargeAndChunkedAnswersStream) {
  UpstreamPool pool({.buffer_limit = 64 * 1024, .chunk_bytes = 16 * 1024});
  Request big;
  big.method = "GET";
  big.path = "/big";
  Response response = Send(pool, path_, std::move(big));
  ASSERT_NE(response.stream, nullptr);
  EXPECT_EQ(Drain(*response.stream), std::string(1 << 20, 'b'));
  Request chunked;
  chunked.method = "GET";
  chunked.path = "/chunked";
  response = Send(pool, path_, std::move(chunked));
  ASSERT_NE(response.stream, nullptr);
  EXPECT_EQ(Drain(*response.stream), "part1;part2;part3;");
}

TEST_F(UpstreamTest, RequestBodiesStreamUp) {
  UpstreamPool pool;
  Request request;
  request.method = "POST";
  request.path = "/upload";
  request.body_reader = std::make_shared<Pieces>(10, 1000);
  Response response = Send(pool, path_, std::move(request));
  EXPECT_TRUE(response.body.starts_with("POST /upload? 10000 ")) << response.body;
}

TEST_F(UpstreamTest, UnreachableSocketIsAnError) {
  UpstreamPool pool;
  std::promise<Result<Response>> answer;
  Request request;
  request.method = "GET";
  pool.Send("/tmp/alm-no-such-socket", std::move(request), nullptr,
            [&answer](Result<Response> r) { answer.set_value(std::move(r)); });
  Result<Response> result = answer.get_future().get();
  EXPECT_FALSE(result.ok());
}

}  // namespace
}  // namespace almanac::http
