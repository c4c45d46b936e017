#include "http/server.h"

#include <atomic>
#include <csignal>
#include <optional>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "api/json_output.h"
#include "core/text.h"
#include "core/url.h"
#include "http/asio.h"
#include "http/error_response.h"

namespace almanac::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Runs `fn` on the task pool; awaiting the result resumes the caller on `executor`. A
// Response that is `deferred` (a queued write) resumes it when its final Response arrives,
// and the pool thread is free again at once.
// A plain function (not a coroutine) on purpose: GCC 12 mishandles lambdas with captures
// passed by value as coroutine parameters (their captures get destroyed twice).
template <typename T, typename F>
auto RunOnPool(TaskPool& pool, asio::any_io_executor executor, F fn) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
      [&pool, executor](auto handler, F task) {
        // TaskPool takes copyable tasks, so the (move-only) completion handler is shared; it
        // is moved out before it is called, so the copies destroyed later are empty.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        pool.Submit([shared, executor, task]() mutable {
          auto deliver = [shared, executor](T result) {
            asio::post(executor, [shared, result = std::move(result)]() mutable {
              auto completion = std::move(*shared);
              completion(std::move(result));
            });
          };
          T result = task();
          if constexpr (std::is_same_v<T, Response>) {
            if (result.deferred) {
              auto start = std::move(result.deferred);
              start(std::move(deliver));
              return;
            }
          }
          deliver(std::move(result));
        });
      },
      asio::use_awaitable, std::move(fn));
}

// Awaits a deferred Response (a queued write): `start` runs now and the final Response it
// delivers (from the writer thread) resumes the caller on `executor`. `deferred` points into
// the caller's frame (GCC 12: no non-trivial temporaries inside co_await expressions).
auto AwaitDeferred(asio::any_io_executor executor, Response::Deferred* deferred) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [executor](auto handler, Response::Deferred* start) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        (*start)([shared, executor](Response result) {
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            auto completion = std::move(*shared);
            completion(std::move(result));
          });
        });
      },
      asio::use_awaitable, deferred);
}

api::Request ToApiRequest(bhttp::request<bhttp::string_body>&& req) {
  api::Request out;
  out.method = std::string(req.method_string());
  std::string target(req.target().data(), req.target().size());
  // The absolute form ("GET http://host/path?q") names the same resource (RFC 9112 3.2.2).
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      size_t end = target.find_first_of("/?", scheme.size());
      target = end == std::string::npos ? "/"
               : target[end] == '?'     ? "/" + target.substr(end)
                                        : target.substr(end);
    }
  }
  size_t question = target.find('?');
  out.path = target.substr(0, question);
  if (question != std::string::npos) {
    out.query_string = target.substr(question + 1);
    out.args = ParseQueryString(out.query_string);
  }
  for (const auto& field : req) {
    out.headers.emplace_back(AsciiLower(std::string(field.name_string())),
                             std::string(field.value()));
  }
  if (const std::string* host = out.Header("host")) out.host = *host;
  out.body = std::move(req.body());
  return out;
}

Response HandleRequest(const Dispatcher& dispatcher, api::Request& request) {
  try {
    return dispatcher.Handle(request);
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request.path, e.what());
    return Response::Json(500, api::ErrorJson(Internal("Internal server error"), 500));
  }
}

Response SimpleError(int status, std::string message) {
  Status s(status == 413 ? ErrorCode::kTooLarge : ErrorCode::kInvalidArgument, std::move(message));
  return Response::Json(status, api::ErrorJson(s, status));
}

// Datasette's PayloadTooLarge message.
std::string TooLargeMessage(int64_t max_bytes) {
  return "Request body exceeded maximum size of " + std::to_string(max_bytes) + " bytes";
}

template <typename Message>
void ApplyHeaders(Message& res, const Response& response) {
  res.set(bhttp::field::server, "almanac");
  res.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) res.insert(name, value);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Dispatcher& d, TaskPool& p)
      : options(std::move(o)), dispatcher(d), pool(p), acceptor(io), signals(io, SIGINT, SIGTERM) {}

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);
  // `response` is owned by the caller's frame, which awaits this coroutine.
  asio::awaitable<void> Write(beast::tcp_stream& stream, Response& response, bool head,
                              bool keep_alive, beast::error_code& ec);
  asio::awaitable<void> WriteError(beast::tcp_stream& stream, int status, std::string message,
                                   beast::error_code& ec);
  asio::awaitable<void> Drain();
  void BeginShutdown();

  ServerOptions options;
  const Dispatcher& dispatcher;
  TaskPool& pool;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
};

asio::awaitable<void> Server::Impl::Accept() {
  asio::steady_timer backoff(io);
  std::optional<std::chrono::steady_clock::time_point> last_warning;
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
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
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), Session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::WriteError(beast::tcp_stream& stream, int status,
                                               std::string message, beast::error_code& ec) {
  Response response = SimpleError(status, std::move(message));
  co_await Write(stream, response, false, false, ec);
}

asio::awaitable<void> Server::Impl::Write(beast::tcp_stream& stream, Response& response, bool head,
                                          bool keep_alive, beast::error_code& ec) {
  auto executor = co_await asio::this_coro::executor;
  auto status = static_cast<bhttp::status>(response.status);
  stream.expires_after(options.write_timeout);
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
  std::string chunk;
  std::string* chunk_ptr = &chunk;
  for (;;) {
    chunk.clear();
    bool more = co_await RunOnPool<bool>(pool, executor,
                                         [source, chunk_ptr] { return source->Next(*chunk_ptr); });
    if (!chunk.empty()) {
      stream.expires_after(options.write_timeout);
      co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(chunk)),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
    if (!more) break;
  }
  co_await asio::async_write(stream, bhttp::make_chunk_last(),
                             asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Server::Impl::Session(tcp::socket socket) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!stopping) {
    if (buffer.size() == 0) {
      // Idle between requests: wait for the first byte of the next one.
      stream.expires_after(options.keep_alive_timeout);
      size_t n = co_await stream.async_read_some(buffer.prepare(4096),
                                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      buffer.commit(n);
    }
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes > 0
                          ? static_cast<std::uint64_t>(options.max_body_bytes)
                          : std::numeric_limits<std::uint64_t>::max());
    stream.expires_after(options.request_timeout);
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (ec == bhttp::error::header_limit) {
      co_await WriteError(stream, 431, "Request headers are too large", ec);
      break;
    }
    if (ec == bhttp::error::body_limit) {
      co_await WriteError(stream, 413, TooLargeMessage(options.max_body_bytes), ec);
      break;
    }
    if (ec) {
      if (ec != beast::error::timeout && ec != bhttp::error::end_of_stream &&
          ec != asio::error::eof && ec != asio::error::connection_reset) {
        co_await WriteError(stream, 400, "Bad request: " + ec.message(), ec);
      }
      break;
    }
    if (!parser.is_done()) {
      if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        // curl sends this before bodies over 1 KB and waits a second for the go-ahead.
        bhttp::response<bhttp::empty_body> go_ahead{bhttp::status::continue_, 11};
        stream.expires_after(options.write_timeout);
        co_await bhttp::async_write(stream, go_ahead,
                                    asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      stream.expires_after(options.body_timeout);
      co_await bhttp::async_read(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        co_await WriteError(stream, 413, TooLargeMessage(options.max_body_bytes), ec);
        break;
      }
      if (ec) break;
    }
    bhttp::request<bhttp::string_body> req = parser.release();
    bool keep_alive = req.keep_alive();
    bool head = req.method() == bhttp::verb::head;
    // Lambdas passed to co_await capture only pointers and references: GCC 12 destroys
    // non-trivial captures of temporaries in a co_await expression twice. The request lives
    // in this frame, which stays suspended until the pool has finished with it.
    api::Request request = ToApiRequest(std::move(req));
    api::Request* request_ptr = &request;
    const Dispatcher* dispatch = &dispatcher;
    ++in_flight;
    // Handled right here on the I/O thread: no hop to another thread and back (two wake-ups
    // per request). Several I/O threads run the one io_context, so a slow query holds up only
    // the thread it runs on; writes go to the write queue and resume us when committed.
    Response response = HandleRequest(*dispatch, *request_ptr);
    if (response.deferred) {
      Response::Deferred deferred = std::move(response.deferred);
      Response::Deferred* deferred_ptr = &deferred;
      response = co_await AwaitDeferred(executor, deferred_ptr);
    }
    if (stopping) keep_alive = false;
    co_await Write(stream, response, head, keep_alive, ec);
    --in_flight;
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> Server::Impl::Drain() {
  // Give requests in progress a few seconds to finish, then stop the I/O threads.
  asio::steady_timer timer(io);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    beast::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  io.stop();
}

void Server::Impl::BeginShutdown() {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  acceptor.close(ec);
  asio::co_spawn(io, Drain(), asio::detached);
}

Server::Server(ServerOptions options, const Dispatcher& dispatcher, TaskPool& pool)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, pool)) {}

Server::~Server() = default;

Result<uint16_t> Server::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) {
    // Not an IP literal: resolve it ("localhost").
    tcp::resolver resolver(impl_->io);
    auto results = resolver.resolve(impl_->options.host, std::to_string(impl_->options.port), ec);
    if (ec || results.empty()) return InvalidArgument("Cannot resolve host " + impl_->options.host);
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(ErrorCode::kUnavailable, "Cannot listen on " + impl_->options.host + ":" +
                                               std::to_string(impl_->options.port) + ": " +
                                               ec.message());
  }
  return acceptor.local_endpoint().port();
}

void Server::Run() {
  Impl& impl = *impl_;
  impl.signals.async_wait([&impl](const beast::error_code& ec, int) {
    if (!ec) impl.BeginShutdown();
  });
  asio::co_spawn(impl.io, impl.Accept(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl.options.io_threads; ++i) {
    threads.emplace_back([&impl] { impl.io.run(); });
  }
  impl.io.run();
  for (std::thread& t : threads) t.join();
}

void Server::Stop() {
  asio::post(impl_->io, [this] { impl_->BeginShutdown(); });
}

}  // namespace almanac::http
