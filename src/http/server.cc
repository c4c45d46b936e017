#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"
#include "http/asio.h"
#include "http/body_reader.h"
#include "http/encoding.h"

namespace almanac::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Protocol = asio::generic::stream_protocol;
using Acceptor = asio::basic_socket_acceptor<Protocol>;

// Awaits a deferred Response: `start` runs now and the Response it delivers (from any thread)
// resumes the caller on `executor`. `deferred` points into the caller's frame (GCC 12: no
// non-trivial temporaries inside co_await expressions). Delivered on one of the executor's own
// threads once `start` has returned (a proxied answer: the upstream exchange runs there), the
// caller resumes at once on that thread, without a trip through the scheduler (and without
// waking another I/O thread for it); delivered during `start` or elsewhere, it is posted.
auto AwaitDeferred(asio::any_io_executor executor, Response::Deferred* deferred) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [executor](auto handler, Response::Deferred* start) {
        // The completion and whether `start` has returned, in one allocation.
        struct Waiting {
          explicit Waiting(decltype(handler) h) : completion(std::move(h)) {}
          decltype(handler) completion;
          std::atomic<bool> started{false};
        };
        auto waiting = std::make_shared<Waiting>(std::move(handler));
        (*start)([waiting, executor](Response result) mutable {
          bool started = waiting->started.load();
          auto resume = [waiting = std::move(waiting), result = std::move(result)]() mutable {
            auto completion = std::move(waiting->completion);
            completion(std::move(result));
          };
          if (started) {
            asio::dispatch(executor, std::move(resume));
          } else {
            asio::post(executor, std::move(resume));
          }
        });
        waiting->started.store(true);
      },
      asio::use_awaitable, deferred);
}

struct Chunk {
  std::string bytes;
  bool more = false;
};

// Awaits the next part of a streamed response body; resumes on `executor`.
auto AwaitPull(asio::any_io_executor executor, BodyStream* source) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Chunk)>(
      [executor](auto handler, BodyStream* stream) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        stream->Pull([shared, executor](std::string bytes, bool more) {
          asio::post(executor, [shared, chunk = Chunk{std::move(bytes), more}]() mutable {
            auto completion = std::move(*shared);
            completion(std::move(chunk));
          });
        });
      },
      asio::use_awaitable, source);
}

// The path of an origin-form or absolute-form target ("GET http://host/path?q" names the same
// resource, RFC 9112 3.2.2), split from its query string.
void SplitTarget(std::string_view target, Request& out) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      size_t end = target.find_first_of("/?", scheme.size());
      target = end == std::string_view::npos ? std::string_view("/") : target.substr(end);
      if (target.starts_with('?')) {
        out.path = "/";
        out.query_string = std::string(target.substr(1));
        return;
      }
    }
  }
  size_t question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos)
    out.query_string = std::string(target.substr(question + 1));
}

template <typename Fields>
Request RequestHead(const bhttp::request_header<Fields>& head) {
  Request out;
  out.method = std::string(head.method_string());
  SplitTarget(std::string_view(head.target().data(), head.target().size()), out);
  // One allocation for the list, with room for one more (the hosting front door adds its
  // signed identity header to the requests it forwards).
  out.headers.reserve(static_cast<size_t>(std::distance(head.begin(), head.end())) + 1);
  for (const auto& field : head) {
    out.headers.emplace_back(AsciiLower(std::string(field.name_string())),
                             std::string(field.value()));
  }
  return out;
}

// The client's address ("127.0.0.1", "::1"; "" for a Unix socket), for rate limits and logs.
std::string PeerAddress(int fd) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (peer.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
  } else if (peer.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, text, sizeof text);
  }
  return text;
}

// Datasette's PayloadTooLarge message.
std::string TooLargeMessage(int64_t max_bytes) {
  return "Request body exceeded maximum size of " + std::to_string(max_bytes) + " bytes";
}

template <typename Message>
void ApplyHeaders(Message& res, const Response& response) {
  res.set(bhttp::field::server, "almanac");
  if (!response.content_type.empty()) res.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) res.insert(name, value);
}

// Whether a whole (not streamed) answer can be written by PlainHead: a status with a body,
// and none of the framing headers Beast would reconcile.
bool HasPlainFraming(const Response& response) {
  if (response.status < 200 || response.status > 999 || response.status == 204 ||
      response.status == 304) {
    return false;
  }
  for (const auto& [name, value] : response.headers) {
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
        beast::iequals(name, "connection")) {
      return false;
    }
  }
  return true;
}

// The head Beast would write for a whole answer (same fields, order and spelling), without
// building a Beast message: one string, sent with the body in one write.
void PlainHead(const Response& response, bool keep_alive, std::string& out) {
  beast::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  out.reserve(256 + response.content_type.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\nServer: almanac\r\n";
  if (!response.content_type.empty()) {
    out += "Content-Type: ";
    out += response.content_type;
    out += "\r\n";
  }
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!keep_alive) out += "Connection: close\r\n";
  out += "Content-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\n\r\n";
}

thread_local asio::io_context* current_server_io = nullptr;

// Runs `io` on this thread, which CurrentServerIo names meanwhile.
void RunIo(asio::io_context& io) {
  current_server_io = &io;
  io.run();
  current_server_io = nullptr;
}

bool IsTcp(const Protocol& protocol) {
  return protocol.family() == AF_INET || protocol.family() == AF_INET6;
}

}  // namespace

asio::io_context* CurrentServerIo() { return current_server_io; }

struct Server::Impl {
  Impl(ServerOptions o, Handler& h) : options(std::move(o)), handler(h) {}

  asio::awaitable<void> Accept(Acceptor& acceptor, bool tcp);
  asio::awaitable<void> Session(Protocol::socket socket);
  // `response` is owned by the caller's frame, which awaits this coroutine.
  asio::awaitable<void> Write(ServerStream& stream, Response& response, bool head, bool keep_alive,
                              beast::error_code& ec);
  asio::awaitable<void> WriteError(ServerStream& stream, int status, std::string message,
                                   beast::error_code& ec);
  asio::awaitable<void> Linger(ServerStream& stream);
  // Handles one request and writes its answer; false when the connection must close.
  // `request` lives in the caller's frame, which awaits this.
  asio::awaitable<bool> Answer(std::shared_ptr<ServerStream> stream, Request* request, bool head,
                               bool keep_alive, std::shared_ptr<StreamedBody> streamed);
  asio::awaitable<void> Drain();
  asio::awaitable<void> CallWhenIdle();
  void RunOnEachIoThread(const std::function<void()>& fn);
  void Answered();
  Response HandleSafely(Request& request);
  Status AddAcceptor(std::unique_ptr<Acceptor> acceptor, bool tcp);
  void BeginShutdown();

  // Open connections, so that a shutdown can end the idle ones and the keep-alive watch the
  // ones idle for too long (::shutdown on the descriptor is safe from any thread; the socket
  // objects are not). Declared before `io`: a Session frame that the io_context destroys
  // unregisters itself here.
  struct SessionEntry {
    int fd;
    // While the session waits for a request: until when (steady clock, ns); else 0.
    std::atomic<int64_t> idle_until{0};
  };
  void AddSession(SessionEntry* entry);
  void RemoveSession(SessionEntry* entry);
  void EndIdleSessions();
  size_t SessionCount();
  bool KeepAliveWatching();
  // Ends the connections idle past keep_alive_timeout, checking a few times per timeout, for
  // as long as there are connections: no timer armed and cancelled per request for it.
  asio::awaitable<void> WatchKeepAlive();

  ServerOptions options;
  Handler& handler;
  std::mutex sessions_mutex;
  std::unordered_set<SessionEntry*> sessions;
  bool keep_alive_watch = false;  // guarded by sessions_mutex
  // Runs the acceptors, the shutdown and the idle watch; with context_per_thread, the first
  // thread's connections too (the others' run on `more`, one io_context per thread).
  asio::io_context io{options.context_per_thread ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT};
  std::vector<std::unique_ptr<asio::io_context>> more;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> more_work;
  size_t next_context = 0;  // used by the acceptors (on `io`)
  // CallWhenIdle runs on this strand, so that a shutdown can cancel its timer.
  asio::strand<asio::io_context::executor_type> idle_strand{io.get_executor()};
  std::optional<asio::steady_timer> idle_timer;        // used on idle_strand only
  std::optional<asio::steady_timer> keep_alive_timer;  // used on idle_strand only
  std::vector<std::unique_ptr<Acceptor>> acceptors;
  std::vector<bool> acceptor_is_tcp;
  std::vector<std::string> unix_paths;  // removed when the server is destroyed
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> answered{0};    // requests answered so far
  std::atomic<bool> idle_watch{false};  // a CallWhenIdle coroutine is waiting
};

Response Server::Impl::HandleSafely(Request& request) {
  try {
    return handler.Handle(request);
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request.path, e.what());
    return handler.Error(500, "Internal server error");
  }
}

asio::awaitable<void> Server::Impl::Accept(Acceptor& acceptor, bool tcp) {
  asio::steady_timer backoff(io);
  std::optional<std::chrono::steady_clock::time_point> last_warning;
  for (;;) {
    beast::error_code ec;
    asio::io_context* target = &io;
    if (!more.empty()) {
      size_t pick = next_context++ % (more.size() + 1);
      if (pick > 0) target = more[pick - 1].get();
    }
    Protocol::socket socket =
        co_await acceptor.async_accept(*target, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      // Usually out of file descriptors: pause instead of spinning (and flooding the log)
      // until connections close.
      auto now = std::chrono::steady_clock::now();
      if (!last_warning || now - *last_warning >= std::chrono::seconds(10)) {
        spdlog::warn("accept failed: {}", ec.message());
        last_warning = now;
      }
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (tcp) socket.set_option(asio::ip::tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::WriteError(ServerStream& stream, int status,
                                               std::string message, beast::error_code& ec) {
  Response response = handler.Error(status, std::move(message));
  co_await Write(stream, response, false, false, ec);
}

asio::awaitable<void> Server::Impl::Write(ServerStream& stream, Response& response, bool head,
                                          bool keep_alive, beast::error_code& ec) {
  auto executor = co_await asio::this_coro::executor;
  auto status = static_cast<bhttp::status>(response.status);
  stream.expires_after(options.write_timeout);
  if (!response.stream && HasPlainFraming(response)) {
    std::string head_bytes;
    PlainHead(response, keep_alive, head_bytes);
    std::array<asio::const_buffer, 2> whole{
        asio::buffer(head_bytes), asio::buffer(head ? std::string_view() : response.body)};
    // Most answers fit in the socket's send buffer: sent at once (the socket is non-blocking),
    // without arming the write timer; whatever is left is written with it.
    size_t sent = stream.socket().write_some(whole, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      sent = 0;
    }
    if (ec || sent == asio::buffer_size(whole)) co_return;
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(whole);
    rest.consume(sent);
    co_await asio::async_write(stream, rest, asio::redirect_error(asio::use_awaitable, ec));
    co_return;
  }
  if (!response.stream) {
    bhttp::response<bhttp::string_body> res{status, 11};
    ApplyHeaders(res, response);
    res.keep_alive(keep_alive);
    res.body() = std::move(response.body);
    res.prepare_payload();
    if (head) res.body().clear();
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    co_return;
  }
  bhttp::response<bhttp::empty_body> res{status, 11};
  ApplyHeaders(res, response);
  res.keep_alive(keep_alive);
  res.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{res};
  co_await bhttp::async_write_header(stream, serializer,
                                     asio::redirect_error(asio::use_awaitable, ec));
  if (ec || head) co_return;
  BodyStream* source = response.stream.get();  // kept alive by `response` (caller's frame)
  for (;;) {
    Chunk chunk = co_await AwaitPull(executor, source);
    if (!chunk.bytes.empty()) {
      stream.expires_after(options.write_timeout);
      co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(chunk.bytes)),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
    if (!chunk.more) break;
  }
  co_await asio::async_write(stream, bhttp::make_chunk_last(),
                             asio::redirect_error(asio::use_awaitable, ec));
}

// After an early answer (413) the client may still be sending: read and drop what arrives for
// a while, so that closing does not reset the connection before it has read the answer.
asio::awaitable<void> Server::Impl::Linger(ServerStream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(Protocol::socket::shutdown_send, ec);
  auto deadline = std::chrono::steady_clock::now() + options.linger_timeout;
  std::vector<char> scratch(64 * 1024);
  while (std::chrono::steady_clock::now() < deadline) {
    stream.expires_at(deadline);
    co_await stream.async_read_some(asio::buffer(scratch),
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
}

asio::awaitable<void> Server::Impl::Session(Protocol::socket socket) {
  auto executor = co_await asio::this_coro::executor;
  // Shared with a streamed request body's reader, which may outlive this frame.
  auto stream = std::make_shared<ServerStream>(std::move(socket));
  auto buffer = std::make_shared<beast::flat_buffer>();
  int fd = stream->socket().native_handle();
  SessionEntry entry{fd};
  AddSession(&entry);
  beast::error_code ec;
  // Synchronous calls on it never block (Write's first try); asynchronous ones are unaffected.
  stream->socket().non_blocking(true, ec);
  const std::string peer_address = PeerAddress(fd);
  struct Unregister {
    Impl* impl;
    SessionEntry* entry;
    ~Unregister() { impl->RemoveSession(entry); }
  } unregister{this, &entry};  // before `stream` closes the descriptor
  while (!stopping) {
    if (buffer->size() == 0) {
      // Idle between requests: wait for the first byte of the next one, as long as the
      // keep-alive watch lets it (it ends the connection: the read ends).
      auto until = std::chrono::steady_clock::now() + options.keep_alive_timeout;
      entry.idle_until.store(until.time_since_epoch().count(), std::memory_order_relaxed);
      size_t n = co_await stream->socket().async_read_some(
          buffer->prepare(4096), asio::redirect_error(asio::use_awaitable, ec));
      entry.idle_until.store(0, std::memory_order_relaxed);
      if (ec) break;
      buffer->commit(n);
    }
    bhttp::request_parser<bhttp::empty_body> head_parser;
    head_parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    // Decided below, once the handler has chosen. (Beast 1.74 compares the length with an empty
    // optional as larger, so "no limit" has to be the largest number.)
    head_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    stream->expires_after(options.request_timeout);
    co_await bhttp::async_read_header(*stream, *buffer, head_parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (ec == bhttp::error::header_limit) {
      co_await WriteError(*stream, 431, "Request headers are too large", ec);
      break;
    }
    if (ec) {
      if (ec != beast::error::timeout && ec != bhttp::error::end_of_stream &&
          ec != asio::error::eof && ec != asio::error::connection_reset) {
        co_await WriteError(*stream, 400, "Bad request: " + ec.message(), ec);
      }
      break;
    }
    Request request = RequestHead(head_parser.get());
    request.remote_address = peer_address;
    bool keep_alive = head_parser.get().keep_alive();
    bool head = head_parser.get().method() == bhttp::verb::head;
    bool has_body = !head_parser.is_done();
    bool expects_continue =
        has_body && beast::iequals(head_parser.get()[bhttp::field::expect], "100-continue");
    BodyMode mode = handler.BodyModeFor(request);
    if (mode == BodyMode::kBuffer && has_body) {
      uint64_t limit = options.max_body_bytes > 0 ? static_cast<uint64_t>(options.max_body_bytes)
                                                  : std::numeric_limits<uint64_t>::max();
      boost::optional<uint64_t> length = head_parser.content_length();
      bool too_large = length && *length > limit;
      if (!too_large) {
        if (expects_continue) {
          // curl sends this before bodies over 1 KB and waits a second for the go-ahead.
          bhttp::response<bhttp::empty_body> go_ahead{bhttp::status::continue_, 11};
          stream->expires_after(options.write_timeout);
          co_await bhttp::async_write(*stream, go_ahead,
                                      asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        bhttp::request_parser<bhttp::string_body> parser(std::move(head_parser));
        parser.body_limit(limit);
        stream->expires_after(options.body_timeout);
        co_await bhttp::async_read(*stream, *buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
        too_large = ec == bhttp::error::body_limit;
        if (!too_large && ec) break;
        if (!too_large) request.body = std::move(parser.get().body());
      }
      if (too_large) {
        co_await WriteError(*stream, 413, TooLargeMessage(options.max_body_bytes), ec);
        if (!ec) co_await Linger(*stream);
        break;
      }
    } else if (has_body) {
      // The body's reads and this request's answer share the socket: they run on a strand of
      // their own, so they never overlap. (Other requests need none: one coroutine does all.)
      auto strand = asio::make_strand(executor);
      auto streamed = std::make_shared<StreamedBody>(strand, stream, buffer, std::move(head_parser),
                                                     options.body_timeout, expects_continue);
      request.body_reader = streamed;
      ++in_flight;
      bool go_on = co_await asio::co_spawn(
          strand, Answer(stream, &request, head, keep_alive, streamed), asio::use_awaitable);
      --in_flight;
      Answered();
      if (!go_on) break;
      continue;
    }
    ++in_flight;
    bool go_on = co_await Answer(stream, &request, head, keep_alive, nullptr);
    --in_flight;
    Answered();
    if (!go_on) break;
  }
  stream->socket().shutdown(Protocol::socket::shutdown_send, ec);
}

asio::awaitable<bool> Server::Impl::Answer(std::shared_ptr<ServerStream> stream, Request* request,
                                           bool head, bool keep_alive,
                                           std::shared_ptr<StreamedBody> streamed) {
  auto executor = co_await asio::this_coro::executor;
  // Read before the handler, which may take the headers.
  const std::string* accept_encoding = request->Header("accept-encoding");
  bool accepts_gzip = options.gzip_level > 0 && accept_encoding && AcceptsGzip(*accept_encoding);
  Response response = HandleSafely(*request);
  if (response.deferred) {
    Response::Deferred deferred = std::move(response.deferred);
    Response::Deferred* deferred_ptr = &deferred;
    response = co_await AwaitDeferred(executor, deferred_ptr);
  }
  request->body_reader.reset();
  // A streamed body the handler did not read to the end leaves the connection unusable; what
  // the client still sends is drained after the answer (as after a 413), so that closing does
  // not reset the connection before the client has read it.
  bool drain = false;
  if (streamed && !streamed->Finish()) {
    keep_alive = false;
    drain = !streamed->reading();
  }
  if (stopping) keep_alive = false;
  if (options.gzip_level > 0) {
    MaybeGzip(accepts_gzip, response, options.gzip_min_bytes, options.gzip_level);
  }
  beast::error_code ec;
  co_await Write(*stream, response, head, keep_alive, ec);
  if (drain && !ec) co_await Linger(*stream);
  co_return !ec && keep_alive;
}

void Server::Impl::Answered() {
  ++answered;
  if (options.on_idle && !idle_watch.exchange(true)) {
    asio::co_spawn(idle_strand, CallWhenIdle(), asio::detached);
  }
}

// Waits until a whole idle_after passes with no request answered and none in progress, calls
// on_idle and ends (the next answered request starts another watch): an idle server has no
// timer waking it.
asio::awaitable<void> Server::Impl::CallWhenIdle() {
  if (!idle_timer) idle_timer.emplace(io);
  uint64_t seen = answered.load();
  while (!stopping) {
    idle_timer->expires_after(options.idle_after);
    beast::error_code ec;
    co_await idle_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopping) break;
    uint64_t now = answered.load();
    if (now == seen && in_flight == 0) {
      options.on_idle();
      if (options.on_idle_each_io_thread) RunOnEachIoThread(options.on_idle_each_io_thread);
      break;
    }
    seen = now;
  }
  idle_watch = false;
}

// Runs `fn` once on every I/O thread, this one (on the main context) included. With one shared
// context a posted handler runs on whichever thread is free, so each handler waits until every
// thread holds one, briefly: the server is idle, each thread is waiting for work. A thread
// that stays busy past the wait (a request that came in meanwhile) just runs `fn` later.
void Server::Impl::RunOnEachIoThread(const std::function<void()>& fn) {
  if (options.context_per_thread) {
    for (const std::unique_ptr<asio::io_context>& context : more) asio::post(*context, fn);
    fn();
    return;
  }
  struct Meeting {
    std::mutex mutex;
    std::condition_variable all_here;
    int waiting_for;
    void ArriveAndWait() {
      std::unique_lock lock(mutex);
      if (--waiting_for == 0) all_here.notify_all();
      all_here.wait_for(lock, std::chrono::milliseconds(20), [this] { return waiting_for <= 0; });
    }
  };
  auto meeting = std::make_shared<Meeting>();
  meeting->waiting_for = options.io_threads;
  for (int i = 1; i < options.io_threads; ++i) {
    asio::post(io, [meeting, fn] {
      meeting->ArriveAndWait();
      fn();
    });
  }
  meeting->ArriveAndWait();
  fn();
}

asio::awaitable<void> Server::Impl::Drain() {
  // Give requests in progress a few seconds to finish, then end the idle connections and the
  // idle watch, so that every coroutine returns and the I/O threads run out of work: nothing
  // is left for the io_context to destroy half-way. Whatever still runs a second later (a
  // stream that never ends) is abandoned by stopping the io_context.
  asio::steady_timer timer(io);
  beast::error_code ec;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  asio::post(idle_strand, [this] {
    if (idle_timer) idle_timer->cancel();
    if (keep_alive_timer) keep_alive_timer->cancel();
  });
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    EndIdleSessions();
    if ((SessionCount() == 0 && !idle_watch && !KeepAliveWatching()) ||
        std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    timer.expires_after(std::chrono::milliseconds(2));
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (SessionCount() > 0 || idle_watch || KeepAliveWatching()) {
    io.stop();
    for (auto& context : more) context->stop();
  }
}

void Server::Impl::AddSession(SessionEntry* entry) {
  std::lock_guard lock(sessions_mutex);
  sessions.insert(entry);
  if (!keep_alive_watch && !stopping) {
    keep_alive_watch = true;
    asio::co_spawn(idle_strand, WatchKeepAlive(), asio::detached);
  }
}

void Server::Impl::RemoveSession(SessionEntry* entry) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(entry);
}

void Server::Impl::EndIdleSessions() {
  // The reads of these connections end (end of stream) and their coroutines return. Called
  // once no request is in progress (or the grace period is over).
  std::lock_guard lock(sessions_mutex);
  for (SessionEntry* entry : sessions) ::shutdown(entry->fd, SHUT_RDWR);
}

size_t Server::Impl::SessionCount() {
  std::lock_guard lock(sessions_mutex);
  return sessions.size();
}

bool Server::Impl::KeepAliveWatching() {
  std::lock_guard lock(sessions_mutex);
  return keep_alive_watch;
}

asio::awaitable<void> Server::Impl::WatchKeepAlive() {
  if (!keep_alive_timer) keep_alive_timer.emplace(io);
  // A connection idle past the timeout is ended within a quarter of it (at most a second).
  auto period = std::clamp<std::chrono::steady_clock::duration>(
      std::chrono::steady_clock::duration(options.keep_alive_timeout) / 4,
      std::chrono::milliseconds(10), std::chrono::seconds(1));
  for (;;) {
    keep_alive_timer->expires_after(period);
    beast::error_code ec;
    co_await keep_alive_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    std::lock_guard lock(sessions_mutex);
    if (ec || stopping || sessions.empty()) {
      keep_alive_watch = false;
      break;
    }
    int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    for (SessionEntry* entry : sessions) {
      int64_t until = entry->idle_until.load(std::memory_order_relaxed);
      if (until != 0 && now >= until) ::shutdown(entry->fd, SHUT_RDWR);
    }
  }
}

void Server::Impl::BeginShutdown() {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  for (auto& acceptor : acceptors) acceptor->close(ec);
  asio::co_spawn(io, Drain(), asio::detached);
}

Status Server::Impl::AddAcceptor(std::unique_ptr<Acceptor> acceptor, bool tcp) {
  acceptors.push_back(std::move(acceptor));
  acceptor_is_tcp.push_back(tcp);
  return Status::Ok();
}

Server::Server(ServerOptions options, Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() {
  for (const std::string& path : impl_->unix_paths) ::unlink(path.c_str());
}

Result<uint16_t> Server::ListenTcp(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    // Not an IP literal: resolve it ("localhost").
    asio::ip::tcp::resolver resolver(impl_->io);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return InvalidArgument("Cannot resolve host " + host);
    address = results.begin()->endpoint().address();
  }
  asio::ip::tcp::endpoint endpoint(address, port);
  auto acceptor = std::make_unique<Acceptor>(impl_->io);
  Protocol::endpoint generic(endpoint);
  acceptor->open(generic.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(generic, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(ErrorCode::kUnavailable,
                  "Cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  asio::ip::tcp::endpoint bound;
  Protocol::endpoint local = acceptor->local_endpoint(ec);
  std::memcpy(bound.data(), local.data(), std::min<size_t>(local.size(), bound.capacity()));
  ALM_RETURN_IF_ERROR(impl_->AddAcceptor(std::move(acceptor), true));
  return bound.port();
}

Status Server::ListenUnix(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status(ErrorCode::kUnavailable, "Cannot listen on " + path + ": not a socket");
    }
    ::unlink(path.c_str());  // left behind by an earlier process
  }
  beast::error_code ec;
  asio::local::stream_protocol::endpoint endpoint(path);
  Protocol::endpoint generic(endpoint);
  auto acceptor = std::make_unique<Acceptor>(impl_->io);
  acceptor->open(generic.protocol(), ec);
  if (!ec) acceptor->bind(generic, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status(ErrorCode::kUnavailable, "Cannot listen on " + path + ": " + ec.message());
  impl_->unix_paths.push_back(path);
  return impl_->AddAcceptor(std::move(acceptor), false);
}

Status Server::ListenFd(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  int accepting = 0;
  socklen_t option_length = sizeof accepting;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &option_length) != 0 || !accepting) {
    return Status(ErrorCode::kInvalidArgument,
                  "File descriptor " + std::to_string(fd) + " is not a listening socket");
  }
  int family = address.ss_family;
  Protocol protocol(family, family == AF_UNIX ? 0 : IPPROTO_TCP);
  beast::error_code ec;
  auto acceptor = std::make_unique<Acceptor>(impl_->io);
  acceptor->assign(protocol, fd, ec);
  if (ec) {
    return Status(ErrorCode::kUnavailable,
                  "Cannot serve file descriptor " + std::to_string(fd) + ": " + ec.message());
  }
  return impl_->AddAcceptor(std::move(acceptor), IsTcp(protocol));
}

void Server::Run() {
  Impl& impl = *impl_;
  for (size_t i = 0; i < impl.acceptors.size(); ++i) {
    asio::co_spawn(impl.io, impl.Accept(*impl.acceptors[i], impl.acceptor_is_tcp[i]),
                   asio::detached);
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < impl.options.io_threads; ++i) {
    if (impl.options.context_per_thread) {
      impl.more.push_back(std::make_unique<asio::io_context>(1));
      impl.more_work.push_back(asio::make_work_guard(*impl.more.back()));
      threads.emplace_back([context = impl.more.back().get()] { RunIo(*context); });
    } else {
      threads.emplace_back([&impl] { RunIo(impl.io); });
    }
  }
  RunIo(impl.io);
  // The shutdown is over (Drain ended every session, or stopped them all): the other threads'
  // contexts run out of work.
  impl.more_work.clear();
  for (std::thread& t : threads) t.join();
}

void Server::Stop() {
  asio::post(impl_->io, [this] { impl_->BeginShutdown(); });
}

}  // namespace almanac::http
