// The transport on its own, with handlers written here: it serves Unix sockets and inherited
// descriptors, streams bodies both ways, and answers an oversized body with a 413 the client
// gets to read. No Datasette in sight: http links only core.
#include "http/server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace almanac::http {
namespace {

// Answers "<method> <path>" to everything; reads streamed bodies when asked to.
class EchoHandler : public Handler {
 public:
  bool stream_bodies = false;

  BodyMode BodyModeFor(const Request&) const override {
    return stream_bodies ? BodyMode::kStream : BodyMode::kBuffer;
  }

  Response Handle(Request& request) override {
    if (request.path == "/stream") return StreamedAnswer();
    if (!request.body_reader) {
      return Response::Text(
          200, request.method + " " + request.path + " " + std::to_string(request.body.size()));
    }
    // Count the body as it arrives, in bounded parts, then answer.
    auto reader = request.body_reader;
    Response response;
    response.deferred = [reader](std::function<void(Response)> done) {
      auto total = std::make_shared<size_t>(0);
      auto largest = std::make_shared<size_t>(0);
      auto step = std::make_shared<BodyReader::Deliver>();
      *step = [reader, total, largest, done, step](const Status& s, std::string_view bytes,
                                                   bool finished) {
        *total += bytes.size();
        *largest = std::max(*largest, bytes.size());
        if (!s.ok() || finished) {
          done(Response::Text(s.ok() ? 200 : 500, std::to_string(*total) + " bytes, parts <= " +
                                                      std::to_string(*largest)));
          *step = nullptr;  // breaks the cycle
          return;
        }
        reader->Read(*step);
      };
      reader->Read(*step);
    };
    return response;
  }

 private:
  // Three parts, produced on another thread each time (as an event source would).
  class ThreeParts : public BodyStream {
   public:
    void Pull(Deliver deliver) override {
      int n = ++count_;
      std::thread([deliver, n] { deliver("part" + std::to_string(n) + ";", n < 3); }).detach();
    }

   private:
    std::atomic<int> count_{0};
  };

  static Response StreamedAnswer() {
    Response response;
    response.stream = std::make_shared<ThreeParts>();
    return response;
  }
};

class RunningServer {
 public:
  RunningServer(ServerOptions options, Handler& handler) : server_(options, handler) {}
  ~RunningServer() {
    server_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  Server& server() { return server_; }
  void Start() {
    thread_ = std::thread([this] { server_.Run(); });
  }

 private:
  Server server_;
  std::thread thread_;
};

int ConnectUnix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int ConnectTcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Sends `head` (and `body`), then reads the answer until the server closes the connection.
std::string Exchange(int fd, const std::string& head, const std::string& body = "") {
  EXPECT_GE(fd, 0);
  if (fd < 0) return "";
  SendAll(fd, head);
  SendAll(fd, body);
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    answer.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

std::string Get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
}

std::string Post(const std::string& path, size_t length) {
  return "POST " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n";
}

std::string TempSocketPath() {
  return (std::filesystem::temp_directory_path() /
          ("almanac-test-" + std::to_string(::getpid()) + ".sock"))
      .string();
}

TEST(Server, ServesAUnixSocket) {
  EchoHandler handler;
  RunningServer running({}, handler);
  std::string path = TempSocketPath();
  ASSERT_TRUE(running.server().ListenUnix(path).ok());
  running.Start();
  std::string answer = Exchange(ConnectUnix(path), Get("/hello?x=1"));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_TRUE(answer.ends_with("GET /hello 0")) << answer;
}

TEST(Server, ServesAnInheritedListeningDescriptor) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  EchoHandler handler;
  RunningServer running({}, handler);
  ASSERT_TRUE(running.server().ListenFd(fd).ok());
  running.Start();
  std::string answer = Exchange(ConnectTcp(ntohs(address.sin_port)), Get("/from-fd"));
  EXPECT_TRUE(answer.ends_with("GET /from-fd 0")) << answer;
}

TEST(Server, RefusesADescriptorThatIsNotListening) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EchoHandler handler;
  Server server({}, handler);
  Status s = server.ListenFd(fd);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  ::close(fd);
}

TEST(Server, StreamsARequestBodyPastTheBufferLimit) {
  EchoHandler handler;
  handler.stream_bodies = true;
  ServerOptions options;
  options.max_body_bytes = 1024 * 1024;  // applies to buffered bodies only
  RunningServer running(options, handler);
  Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  running.Start();
  std::string body(8 * 1024 * 1024, 'x');
  std::string answer = Exchange(ConnectTcp(*port), Post("/upload", body.size()), body);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 200);
  size_t at = answer.find("8388608 bytes, parts <= ");
  ASSERT_NE(at, std::string::npos) << answer.substr(0, 400);
  size_t largest = std::stoul(answer.substr(at + 24));
  EXPECT_GT(largest, 0u);
  EXPECT_LE(largest, 65536u);
}

TEST(Server, StreamsAResponseMadeOnOtherThreads) {
  EchoHandler handler;
  RunningServer running({}, handler);
  Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  running.Start();
  std::string answer = Exchange(ConnectTcp(*port), Get("/stream"));
  EXPECT_NE(answer.find("Transfer-Encoding: chunked"), std::string::npos) << answer;
  size_t one = answer.find("part1;"), two = answer.find("part2;"), three = answer.find("part3;");
  ASSERT_NE(three, std::string::npos) << answer;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  EXPECT_TRUE(answer.ends_with("0\r\n\r\n")) << answer;
}

TEST(Server, AnswersATooLargeBodyWithA413TheClientReads) {
  EchoHandler handler;
  ServerOptions options;
  options.max_body_bytes = 1024;
  RunningServer running(options, handler);
  Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  running.Start();
  // The client sends all of its 16 MB before reading: without the lingering close the server
  // would reset the connection and the client would never see the answer.
  std::string body(16 * 1024 * 1024, 'x');
  std::string answer = Exchange(ConnectTcp(*port), Post("/upload", body.size()), body);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("Request body exceeded maximum size of 1024 bytes"), std::string::npos);
}

TEST(Server, BuffersABodyWithinTheLimit) {
  EchoHandler handler;
  RunningServer running({}, handler);
  Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  running.Start();
  std::string answer = Exchange(ConnectTcp(*port), Post("/form", 5), "hello");
  EXPECT_TRUE(answer.ends_with("POST /form 5")) << answer;
}

TEST(Server, LetsTheHandlerWordTransportErrors) {
  class Worded : public EchoHandler {
    Response Error(int status, std::string message) const override {
      return Response::Json(status, "{\"error\": \"" + message + "\"}");
    }
  } handler;
  ServerOptions options;
  options.max_header_bytes = 256;
  RunningServer running(options, handler);
  Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  running.Start();
  std::string head =
      "GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(1000, 'a') + "\r\n\r\n";
  std::string answer = Exchange(ConnectTcp(*port), head);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer;
  EXPECT_TRUE(answer.ends_with("{\"error\": \"Request headers are too large\"}")) << answer;
}

// Stopping must be clean whatever the server is doing: accepting, holding idle keep-alive
// connections, answering, waiting to call on_idle. Run many times with two I/O threads, so
// that the orders in which the threads stop vary (under ASan in CI, a frame destroyed after
// what it uses is an error, not a rare crash at exit).
TEST(Server, WithAContextPerThreadServesEveryConnection) {
  EchoHandler handler;
  handler.stream_bodies = true;
  ServerOptions options;
  options.io_threads = 3;
  options.context_per_thread = true;
  RunningServer running(options, handler);
  Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  running.Start();
  // Connections land on every thread's context in turn: each kind of exchange, on each.
  for (int i = 0; i < 3; ++i) {
    std::string plain = Exchange(ConnectTcp(*port), Get("/plain"));
    EXPECT_TRUE(plain.starts_with("HTTP/1.1 200")) << plain;
    EXPECT_NE(plain.find("GET /plain 0"), std::string::npos) << plain;
    std::string streamed = Exchange(ConnectTcp(*port), Get("/stream"));
    EXPECT_TRUE(streamed.ends_with("part3;\r\n0\r\n\r\n")) << streamed;
    std::string body(300 * 1024, 'x');
    std::string upload = Exchange(ConnectTcp(*port), Post("/upload", body.size()), body);
    EXPECT_NE(upload.find("307200 bytes"), std::string::npos) << upload.substr(0, 300);
  }
}

// Once idle, each I/O thread gives back what it keeps for itself: the hook runs on every one,
// with one context shared by the threads and with a context per thread.
TEST(Server, IdleHookRunsOnEachIoThread) {
  EchoHandler handler;
  for (bool per_thread : {false, true}) {
    ServerOptions options;
    options.io_threads = 3;
    options.context_per_thread = per_thread;
    options.idle_after = std::chrono::milliseconds(1);
    std::mutex mutex;
    std::condition_variable changed;
    std::set<std::thread::id> threads;
    options.on_idle = [] {};
    options.on_idle_each_io_thread = [&] {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
      changed.notify_all();
    };
    RunningServer running(options, handler);
    Result<uint16_t> port = running.server().ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    running.Start();
    std::string answer = Exchange(ConnectTcp(*port), Get("/a"));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    std::unique_lock lock(mutex);
    EXPECT_TRUE(
        changed.wait_for(lock, std::chrono::seconds(30), [&] { return threads.size() == 3; }))
        << "per_thread " << per_thread << ": the hook ran on " << threads.size() << " threads";
  }
}

TEST(Server, StopsCleanlyWhateverIsInProgress) {
  EchoHandler handler;
  for (int round = 0; round < 200; ++round) {
    ServerOptions options;
    options.io_threads = 2;
    options.context_per_thread = round >= 100;
    std::atomic<int> idle_calls{0};
    options.on_idle = [&idle_calls] { ++idle_calls; };
    options.on_idle_each_io_thread = [&idle_calls] { ++idle_calls; };
    options.idle_after = std::chrono::milliseconds(round % 3);
    auto running = std::make_unique<RunningServer>(options, handler);
    Result<uint16_t> port = running->server().ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    running->Start();
    // One connection that asked for something and stays open, one that never says anything,
    // and (every other round) one whose answer nobody reads.
    int asked = ConnectTcp(*port);
    int silent = ConnectTcp(*port);
    ASSERT_GE(asked, 0);
    ASSERT_GE(silent, 0);
    SendAll(asked, "GET /a HTTP/1.1\r\nHost: test\r\n\r\n");
    char first[1];
    ASSERT_EQ(::recv(asked, first, 1, 0), 1);  // the server has started answering
    int unread = -1;
    if (round % 2 == 0) {
      unread = ConnectTcp(*port);
      SendAll(unread, "GET /b HTTP/1.1\r\nHost: test\r\n\r\n");
    }
    running.reset();  // Stop(), join Run(), destroy the server
    for (int fd : {asked, silent, unread}) {
      if (fd >= 0) ::close(fd);
    }
  }
}

}  // namespace
}  // namespace almanac::http
