// UpstreamPool against a Server of the test's own on a Unix socket: small answers come back
// whole, large and chunked ones as streams read part by part, request bodies are streamed up,
// and hop-by-hop headers stay behind.
#include "http/upstream.h"

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "http/relay_head.h"
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

// The lean relay's reading of a head: what it forwards, and what it leaves to the general path.
TEST(RelayHeadTest, PassesTheHeadThroughWithoutItsHopByHopHeaders) {
  std::string bytes =
      "HTTP/1.1 201 Created\r\nServer: almanac\r\nContent-Type: application/json\r\n"
      "X-Thing:  two words \r\nKeep-Alive: 5\r\nContent-Length: 2\r\n\r\n{}";
  Response out;
  RelayHead head = ParseRelayHead(bytes, out);
  ASSERT_EQ(head.outcome, RelayHead::Outcome::kLean);
  EXPECT_EQ(head.head_bytes, bytes.size() - 2);
  EXPECT_EQ(head.content_length, 2u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_EQ(out.status, 201);
  EXPECT_EQ(out.content_type, "application/json");
  ASSERT_EQ(out.headers.size(), 1u);
  EXPECT_EQ(out.headers[0].first, "x-thing");
  EXPECT_EQ(out.headers[0].second, "two words");

  head = ParseRelayHead("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n\r\n", out);
  ASSERT_EQ(head.outcome, RelayHead::Outcome::kLean);
  EXPECT_FALSE(head.keep_alive);
  EXPECT_FALSE(head.content_length);
}

TEST(RelayHeadTest, LeavesTheUnusualToTheGeneralPath) {
  Response out;
  EXPECT_EQ(ParseRelayHead("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", out).outcome,
            RelayHead::Outcome::kIncomplete);
  for (std::string head : {
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
           "HTTP/1.1 100 Continue\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
           "HTTP/1.1 2000 OK\r\n\r\n",
           "garbage\r\n\r\n",
       }) {
    EXPECT_EQ(ParseRelayHead(head, out).outcome, RelayHead::Outcome::kGeneral) << head;
  }
}

// An upstream that answers each request (read up to its empty line; no bodies) as `script`
// says, on plain sockets, so that a test controls every byte and each connection's end.
class ScriptedUpstream {
 public:
  // The bytes to answer a request line with; `close` ends the connection after them.
  using Script = std::function<std::string(const std::string& request_line, bool& close)>;

  ScriptedUpstream(std::string path, Script script)
      : path_(std::move(path)), script_(std::move(script)) {
    ::unlink(path_.c_str());
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    acceptor_ = std::thread([this] { AcceptAll(); });
  }
  ~ScriptedUpstream() {
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : connections_) t.join();
    ::close(listener_);
    ::unlink(path_.c_str());
  }
  int accepted() const { return accepted_; }

 private:
  void AcceptAll() {
    for (;;) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      std::lock_guard lock(mutex_);
      open_.push_back(fd);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }
  void Serve(int fd) {
    std::string pending;
    char buffer[4096];
    for (bool close = false; !close;) {
      size_t end;
      while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          ::close(fd);
          return;
        }
        pending.append(buffer, static_cast<size_t>(n));
      }
      std::string line = pending.substr(0, pending.find("\r\n"));
      pending.erase(0, end + 4);
      std::string answer = script_(line, close);
      if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) break;
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }

  std::string path_;
  Script script_;
  int listener_ = -1;
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> open_;
  std::vector<std::thread> connections_;
  std::atomic<int> accepted_{0};
};

std::string SocketPath(const char* name) {
  return "/tmp/alm-relay-" + std::string(name) + "-" + std::to_string(::getpid()) + ".sock";
}

Request Get(std::string path, std::string method = "GET") {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

Result<Response> SendForResult(UpstreamPool& pool, const std::string& path, Request request) {
  std::promise<Result<Response>> answer;
  pool.Send(path, std::move(request), nullptr,
            [&answer](Result<Response> r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

std::string Answer(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nServer: upstream\r\nContent-Type: text/plain\r\nX-Path: p\r\n" +
         extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(UpstreamRelayTest, KeptAliveConnectionsCarryOneExchangeAfterAnother) {
  std::string path = SocketPath("reuse");
  ScriptedUpstream upstream(path, [](const std::string& line, bool&) {
    return Answer(line.substr(0, line.find(' ', 4)));  // "GET /n"
  });
  UpstreamPool pool;
  for (int i = 0; i < 20; ++i) {
    Result<Response> response = SendForResult(pool, path, Get("/" + std::to_string(i)));
    ASSERT_TRUE(response.ok()) << response.status().message();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "GET /" + std::to_string(i));
    EXPECT_EQ(response->content_type, "text/plain");
    ASSERT_NE(response->Header("x-path"), nullptr);
    EXPECT_EQ(response->Header("server"), nullptr);  // the front door names itself
    EXPECT_EQ(response->stream, nullptr);
  }
  EXPECT_EQ(upstream.accepted(), 1);
  // Many at once: each answer reaches its own caller; connections are reused.
  std::vector<std::future<Result<Response>>> answers;
  for (int i = 0; i < 16; ++i) {
    answers.push_back(std::async(std::launch::async, [&pool, &path, i] {
      return SendForResult(pool, path, Get("/c" + std::to_string(i)));
    }));
  }
  for (int i = 0; i < 16; ++i) {
    Result<Response> response = answers[static_cast<size_t>(i)].get();
    ASSERT_TRUE(response.ok()) << response.status().message();
    EXPECT_EQ(response->body, "GET /c" + std::to_string(i));
  }
  EXPECT_LE(upstream.accepted(), 17);
}

TEST(UpstreamRelayTest, HeadAnswersAndAnswersWithoutBodyCarryNone) {
  std::string path = SocketPath("head");
  ScriptedUpstream upstream(path, [](const std::string& line, bool&) -> std::string {
    if (line.starts_with("HEAD")) {
      return "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n";
    }
    return "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
  });
  UpstreamPool pool;
  for (int i = 0; i < 3; ++i) {
    Result<Response> head = SendForResult(pool, path, Get("/t.csv", "HEAD"));
    ASSERT_TRUE(head.ok()) << head.status().message();
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->body, "");
    EXPECT_EQ(head->content_type, "text/csv");
    Result<Response> not_modified = SendForResult(pool, path, Get("/t"));
    ASSERT_TRUE(not_modified.ok()) << not_modified.status().message();
    EXPECT_EQ(not_modified->status, 304);
    ASSERT_NE(not_modified->Header("etag"), nullptr);
  }
  EXPECT_EQ(upstream.accepted(), 1);
}

TEST(UpstreamRelayTest, ChunkedAndCloseDelimitedAnswersTakeTheGeneralPath) {
  std::string path = SocketPath("chunked");
  ScriptedUpstream upstream(path, [](const std::string& line, bool& close) -> std::string {
    if (line.starts_with("GET /chunked")) {
      return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    }
    if (line.starts_with("GET /until-close")) {
      close = true;
      return "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it";
    }
    return Answer("small");
  });
  UpstreamPool pool;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(SendForResult(pool, path, Get("/warm")).ok());  // an idle connection to reuse
    Result<Response> chunked = SendForResult(pool, path, Get("/chunked"));
    ASSERT_TRUE(chunked.ok()) << chunked.status().message();
    ASSERT_NE(chunked->stream, nullptr);
    EXPECT_EQ(Drain(*chunked->stream), "hello world");
    Result<Response> until_close = SendForResult(pool, path, Get("/until-close"));
    ASSERT_TRUE(until_close.ok()) << until_close.status().message();
    ASSERT_NE(until_close->stream, nullptr);
    EXPECT_EQ(Drain(*until_close->stream), "all of it");
  }
}

TEST(UpstreamRelayTest, AnUpstreamThatBreaksOffMidBodyIsAnError) {
  std::string path = SocketPath("break");
  ScriptedUpstream upstream(path, [](const std::string& line, bool& close) -> std::string {
    if (line.starts_with("GET /break")) {
      close = true;
      return "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b";
    }
    return Answer("fine");
  });
  UpstreamPool pool;
  ASSERT_TRUE(SendForResult(pool, path, Get("/warm")).ok());
  Result<Response> broken = SendForResult(pool, path, Get("/break"));
  EXPECT_FALSE(broken.ok());
  // The next exchange does not reuse the broken connection.
  Result<Response> after = SendForResult(pool, path, Get("/after"));
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->body, "fine");
}

TEST(UpstreamRelayTest, AnIdleConnectionTheUpstreamClosedIsReplaced) {
  std::string path = SocketPath("stale");
  ScriptedUpstream upstream(path, [](const std::string& line, bool& close) {
    close = true;  // every connection carries one exchange only, though it says keep-alive
    return Answer(line.substr(0, line.find(' ', 4)));
  });
  UpstreamPool pool;
  for (int i = 0; i < 5; ++i) {
    Result<Response> response = SendForResult(pool, path, Get("/" + std::to_string(i)));
    ASSERT_TRUE(response.ok()) << response.status().message();
    EXPECT_EQ(response->body, "GET /" + std::to_string(i));
  }
  EXPECT_GE(upstream.accepted(), 5);
}

TEST(UpstreamRelayTest, BytesPastTheAnswerKeepTheConnectionFromReuse) {
  std::string path = SocketPath("extra");
  std::atomic<int> served{0};
  ScriptedUpstream upstream(path, [&served](const std::string&, bool&) {
    return Answer("one") + (++served == 1 ? "HTTP/1.1 200 OK\r\n" : "");
  });
  UpstreamPool pool;
  for (int i = 0; i < 3; ++i) {
    Result<Response> response = SendForResult(pool, path, Get("/x"));
    ASSERT_TRUE(response.ok()) << response.status().message();
    EXPECT_EQ(response->body, "one");
  }
}

}  // namespace
}  // namespace almanac::http
