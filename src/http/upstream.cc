#include "http/upstream.h"

#include <array>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/text.h"
#include "http/asio.h"
#include "http/relay_head.h"

// GCC 12 at -O2 reports Asio's coroutine frame allocator (operator new/delete with a size, both
// Asio's) as mismatched in this file: a known false positive (GCC bug 104975-like).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace almanac::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Socket = asio::local::stream_protocol::socket;
using Parser = bhttp::response_parser<bhttp::buffer_body>;

// What one read from an upstream connection may take. Beast sizes a read by the buffer's free
// capacity (512 bytes at least, 64 KB at most): without room reserved, a 9 KB answer took 18
// system calls (and as many trips through the event loop) instead of one.
constexpr size_t kReadBufferBytes = 64 * 1024;

struct Connection {
  explicit Connection(asio::io_context& context) : socket(context), io(&context) {
    buffer.reserve(kReadBufferBytes);
  }
  Socket socket;
  beast::flat_buffer buffer;
  asio::io_context* io;  // where its completions run
  std::string head;      // the request head being sent, its memory kept from one to the next
};

// A request's body length to announce (none for a GET without a body).
std::optional<uint64_t> BodyLength(const Request& request) {
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    return request.body.size();
  }
  return std::nullopt;
}

// Writes the request head into `head` (cleared first).
void RequestHead(const Request& request, bool chunked, std::optional<uint64_t> length,
                 std::string& head) {
  head.clear();
  head.reserve(512);
  head += request.method;
  head += ' ';
  head += request.path.empty() ? "/" : request.path;
  if (!request.query_string.empty()) {
    head += '?';
    head += request.query_string;
  }
  head += " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    if (IsHopByHop(name)) continue;
    if (name == "host") has_host = true;
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (!has_host) head += "host: localhost\r\n";
  if (chunked) {
    head += "transfer-encoding: chunked\r\n";
  } else if (length) {
    head += "content-length: " + std::to_string(*length) + "\r\n";
  }
  head += "\r\n";
}

// The upstream's head as a Response without its body (content type apart, hop-by-hop dropped).
Response ResponseHead(const bhttp::response_header<>& head) {
  Response out;
  out.status = static_cast<int>(head.result_int());
  out.content_type.clear();
  for (const auto& field : head) {
    std::string name = AsciiLower(std::string(field.name_string()));
    if (IsHopByHop(name) || name == "server") continue;
    if (name == "content-type") {
      out.content_type = std::string(field.value());
      continue;
    }
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return out;
}

struct Piece {
  Status status;
  std::string bytes;
  bool done = false;
};

// Awaits the next part of a request body from its reader (delivered on a server thread);
// resumes on `executor`.
auto AwaitBody(asio::any_io_executor executor, BodyReader* reader) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Piece)>(
      [executor](auto handler, BodyReader* source) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        source->Read([shared, executor](const Status& status, std::string_view bytes, bool done) {
          asio::post(executor, [shared, piece = Piece{status, std::string(bytes), done}]() mutable {
            auto completion = std::move(*shared);
            completion(std::move(piece));
          });
        });
      },
      asio::use_awaitable, reader);
}

}  // namespace

struct UpstreamPool::Impl : std::enable_shared_from_this<UpstreamPool::Impl> {
  explicit Impl(UpstreamOptions o) : options(o), work(asio::make_work_guard(io)) {}

  // An idle connection to `path`, preferably one whose completions run on `where`.
  std::shared_ptr<Connection> TakeIdle(const std::string& path, asio::io_context* where) {
    std::lock_guard lock(mutex);
    auto it = idle.find(path);
    if (it == idle.end() || it->second.empty()) return nullptr;
    std::vector<std::shared_ptr<Connection>>& list = it->second;
    size_t pick = list.size() - 1;
    for (size_t i = list.size(); i-- > 0;) {
      if (list[i]->io == where) {
        pick = i;
        break;
      }
    }
    std::shared_ptr<Connection> connection = std::move(list[pick]);
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(pick));
    return connection;
  }

  void GiveBack(const std::string& path, std::shared_ptr<Connection> connection) {
    std::lock_guard lock(mutex);
    std::vector<std::shared_ptr<Connection>>& list = idle[path];
    if (list.size() < options.max_idle_per_socket) list.push_back(std::move(connection));
  }

  // Runs on `io`, where the connections it makes belong.
  asio::awaitable<void> Exchange(asio::io_context& where, std::string path, Request request,
                                 std::shared_ptr<void> hold, Done done);
  // Reads the answer to a request sent on `connection` (bytes of it may already be in its
  // buffer) and delivers it to `done`. False, with nothing delivered, when `retry_if_closed`
  // and the connection turned out closed before any byte of an answer: the caller starts over,
  // with `hold` and `done` untouched (they belong to the caller's frame, which awaits this).
  asio::awaitable<bool> ReadResponse(std::shared_ptr<Connection> connection, std::string path,
                                     bool head_request, bool retry_if_closed,
                                     std::shared_ptr<void>& hold, Done& done);
  // The lean relay, on an idle connection, for a request without a streamed body.
  void SendLean(asio::io_context& where, std::shared_ptr<Connection> connection, std::string path,
                Request request, std::shared_ptr<void> hold, Done done);

  UpstreamOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> idle;
};

namespace {

// A response body read from the upstream connection as the client pulls it.
class UpstreamBody : public BodyStream {
 public:
  struct State {
    std::shared_ptr<UpstreamPool::Impl> pool;
    std::string path;
    std::shared_ptr<Connection> connection;
    std::unique_ptr<Parser> parser;
    std::shared_ptr<void> hold;
    std::vector<char> chunk;
    bool keep_alive = false;
    bool finished = false;
  };

  explicit UpstreamBody(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ~UpstreamBody() override {
    // Dropped before its end (the client went away): the connection cannot be reused.
    if (!state_->finished) {
      asio::post(state_->connection->socket.get_executor(), [state = state_] {
        beast::error_code ec;
        state->connection->socket.close(ec);
      });
    }
  }

  void Pull(Deliver deliver) override {
    asio::co_spawn(state_->connection->socket.get_executor(), ReadNext(state_, std::move(deliver)),
                   asio::detached);
  }

 private:
  static asio::awaitable<void> ReadNext(std::shared_ptr<State> state, Deliver deliver) {
    Parser& parser = *state->parser;
    Connection& connection = *state->connection;
    beast::error_code ec;
    while (!parser.is_done()) {
      parser.get().body().data = state->chunk.data();
      parser.get().body().size = state->chunk.size();
      co_await bhttp::async_read_some(connection.socket, connection.buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      size_t n = state->chunk.size() - parser.get().body().size;
      if (ec) break;
      if (n > 0) {
        bool more = !parser.is_done();
        if (!more) Finish(*state);
        deliver(std::string(state->chunk.data(), n), more);
        co_return;
      }
    }
    if (!ec) Finish(*state);
    state->finished = true;
    deliver(std::string(), false);  // the end, or the upstream broke off: end the body there
  }

  static void Finish(State& state) {
    if (state.finished) return;
    state.finished = true;
    if (state.keep_alive && state.connection->buffer.size() == 0) {
      state.pool->GiveBack(state.path, state.connection);
    }
    state.hold.reset();
  }

  std::shared_ptr<State> state_;
};

}  // namespace

asio::awaitable<void> UpstreamPool::Impl::Exchange(asio::io_context& where, std::string path,
                                                   Request request, std::shared_ptr<void> hold,
                                                   Done done) {
  beast::error_code ec;
  std::shared_ptr<BodyReader> reader = std::move(request.body_reader);
  std::optional<uint64_t> length;
  bool chunked = false;
  if (reader) {
    length = reader->length();
    chunked = !length;
  } else {
    length = BodyLength(request);
  }
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<Connection> connection = TakeIdle(path, &where);
    bool reused = connection != nullptr;
    if (!connection) {
      connection = std::make_shared<Connection>(where);
      asio::local::stream_protocol::endpoint endpoint(path);
      co_await connection->socket.async_connect(endpoint,
                                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        done(Status(ErrorCode::kUnavailable, "Cannot connect to " + path + ": " + ec.message()));
        co_return;
      }
    }
    RequestHead(request, chunked, length, connection->head);
    std::array<asio::const_buffer, 2> whole{
        asio::buffer(connection->head), asio::buffer(reader ? std::string_view() : request.body)};
    co_await asio::async_write(connection->socket, whole,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec && reused && !reader) continue;  // an idle connection the upstream had closed
    if (ec) {
      done(Status(ErrorCode::kUnavailable, "Upstream write failed: " + ec.message()));
      co_return;
    }
    // A streamed request body, forwarded as it arrives. If the upstream answers early and
    // closes, the write fails: its answer is still read below.
    if (reader) {
      auto executor = co_await asio::this_coro::executor;
      for (;;) {
        Piece piece = co_await AwaitBody(executor, reader.get());
        if (!piece.status.ok()) {
          done(piece.status);
          co_return;
        }
        if (!piece.bytes.empty() && !ec) {
          if (chunked) {
            char size_line[32];
            int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.bytes.size());
            std::array<asio::const_buffer, 3> parts{asio::buffer(size_line, static_cast<size_t>(n)),
                                                    asio::buffer(piece.bytes),
                                                    asio::buffer("\r\n", 2)};
            co_await asio::async_write(connection->socket, parts,
                                       asio::redirect_error(asio::use_awaitable, ec));
          } else {
            co_await asio::async_write(connection->socket, asio::buffer(piece.bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
          }
        }
        if (piece.done) break;
      }
      if (chunked && !ec) {
        co_await asio::async_write(connection->socket, asio::buffer("0\r\n\r\n", 5),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      ec = {};
    }
    bool retry_if_closed = reused && !reader && attempt == 0;
    bool head_request = request.method == "HEAD";
    bool delivered = co_await ReadResponse(std::move(connection), path, head_request,
                                           retry_if_closed, hold, done);
    if (delivered) co_return;
    // The upstream closed this idle connection as we reused it: start over.
  }
}

asio::awaitable<bool> UpstreamPool::Impl::ReadResponse(std::shared_ptr<Connection> connection,
                                                       std::string path, bool head_request,
                                                       bool retry_if_closed,
                                                       std::shared_ptr<void>& hold, Done& done) {
  beast::error_code ec;
  auto parser = std::make_unique<Parser>();
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  parser->header_limit(64 * 1024);
  if (head_request) parser->skip(true);
  co_await bhttp::async_read_header(connection->socket, connection->buffer, *parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec && retry_if_closed &&
      (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
       ec == asio::error::connection_reset || ec == asio::error::broken_pipe)) {
    co_return false;
  }
  if (ec) {
    done(Status(ErrorCode::kUnavailable, "Upstream response failed: " + ec.message()));
    co_return true;
  }
  Response response = ResponseHead(parser->get().base());
  bool keep_alive = parser->get().keep_alive();
  boost::optional<uint64_t> content_length = parser->content_length();
  if (parser->is_done() || (content_length && *content_length <= options.buffer_limit)) {
    // Small: read it whole and answer with a Content-Length.
    std::string body;
    if (content_length) body.resize(*content_length);
    size_t filled = 0;
    while (!parser->is_done() && !ec) {
      parser->get().body().data = body.data() + filled;
      parser->get().body().size = body.size() - filled;
      co_await bhttp::async_read(connection->socket, connection->buffer, *parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      filled = body.size() - parser->get().body().size;
    }
    if (ec) {
      done(Status(ErrorCode::kUnavailable, "Upstream body failed: " + ec.message()));
      co_return true;
    }
    body.resize(filled);
    response.body = std::move(body);
    // Bytes past the answer would be taken for the next one's: such a connection is not reused.
    if (keep_alive && connection->buffer.size() == 0) GiveBack(path, std::move(connection));
    hold.reset();
    done(std::move(response));
    co_return true;
  }
  auto state = std::make_shared<UpstreamBody::State>();
  state->pool = shared_from_this();
  state->path = std::move(path);
  state->connection = std::move(connection);
  state->parser = std::move(parser);
  state->hold = std::move(hold);
  state->chunk.resize(options.chunk_bytes);
  state->keep_alive = keep_alive;
  response.stream = std::make_shared<UpstreamBody>(std::move(state));
  done(std::move(response));
  co_return true;
}

namespace {

// The lean relay: the common exchange — a request without a streamed body, on a kept-alive
// connection, answered with a small body of known length — run by plain completion handlers
// (no coroutine, no Beast parser or message): the head and body go out in one write, the answer
// usually comes back in one read and its head is read in place (relay_head.h). Whatever it
// does not handle goes on along the general path, from where it stands: a stale connection
// (closed before any byte of an answer) starts the exchange over; an answer it does not read
// itself is handed, bytes already read included, to ReadResponse.
struct LeanExchange {
  std::shared_ptr<UpstreamPool::Impl> pool;
  asio::io_context* where = nullptr;
  std::string path;
  std::shared_ptr<Connection> connection;
  Request request;  // kept to start over
  std::shared_ptr<void> hold;
  UpstreamPool::Done done;
  Response response;
  bool head_read = false;
  size_t head_bytes = 0;
  size_t body_bytes = 0;
  bool keep_alive = true;
};
using Lean = std::shared_ptr<LeanExchange>;

void LeanRead(Lean x);

// Starts the exchange over on the general path (a fresh or another idle connection).
void LeanStartOver(Lean x) {
  beast::error_code ignored;
  x->connection->socket.close(ignored);
  UpstreamPool::Impl& pool = *x->pool;
  asio::co_spawn(*x->where,
                 pool.Exchange(*x->where, std::move(x->path), std::move(x->request),
                               std::move(x->hold), std::move(x->done)),
                 asio::detached);
}

asio::awaitable<void> LeanGeneralRead(Lean x) {
  std::shared_ptr<Connection> connection = std::move(x->connection);
  bool head_request = x->request.method == "HEAD";
  co_await x->pool->ReadResponse(std::move(connection), x->path, head_request, false, x->hold,
                                 x->done);
}

// Hands the answer, as far as it was read, to the general path.
void LeanToGeneral(Lean x) {
  asio::io_context& io = *x->connection->io;
  asio::co_spawn(io, LeanGeneralRead(std::move(x)), asio::detached);
}

void LeanFail(Lean x, const char* what, const beast::error_code& ec) {
  beast::error_code ignored;
  x->connection->socket.close(ignored);
  x->hold.reset();
  x->done(Status(ErrorCode::kUnavailable, std::string(what) + ec.message()));
}

// With what the buffer holds: reads the head (once), then delivers the answer or reads more.
void LeanOnBytes(Lean x) {
  Connection& connection = *x->connection;
  std::string_view bytes(static_cast<const char*>(connection.buffer.data().data()),
                         connection.buffer.size());
  if (!x->head_read) {
    RelayHead head = ParseRelayHead(bytes, x->response);
    if (head.outcome != RelayHead::Outcome::kLean) return LeanToGeneral(std::move(x));
    int status = x->response.status;
    if (x->request.method == "HEAD" || status == 204 || status == 304) {
      x->body_bytes = 0;
    } else if (head.content_length && *head.content_length <= x->pool->options.buffer_limit) {
      x->body_bytes = static_cast<size_t>(*head.content_length);
    } else {
      return LeanToGeneral(std::move(x));  // streamed: of unknown length, or large
    }
    x->head_read = true;
    x->head_bytes = head.head_bytes;
    x->keep_alive = head.keep_alive;
  }
  size_t whole = x->head_bytes + x->body_bytes;
  if (bytes.size() < whole) return LeanRead(std::move(x));
  x->response.body.assign(bytes.data() + x->head_bytes, x->body_bytes);
  connection.buffer.consume(whole);
  // Bytes past the answer would be taken for the next one's: such a connection is not reused.
  if (x->keep_alive && connection.buffer.size() == 0) {
    x->pool->GiveBack(x->path, std::move(x->connection));
  }
  x->hold.reset();
  x->done(std::move(x->response));
}

void LeanRead(Lean x) {
  Connection& connection = *x->connection;
  size_t room = kReadBufferBytes;
  if (x->head_read) room = std::max(room, x->head_bytes + x->body_bytes - connection.buffer.size());
  connection.socket.async_read_some(
      connection.buffer.prepare(room), [x](const beast::error_code& ec, size_t n) mutable {
        beast::flat_buffer& buffer = x->connection->buffer;
        if (ec) {
          bool closed = ec == asio::error::eof || ec == asio::error::connection_reset ||
                        ec == asio::error::broken_pipe;
          // Nothing of an answer yet on a connection taken idle: the upstream had closed it.
          if (closed && buffer.size() == 0) return LeanStartOver(std::move(x));
          const char* what = x->head_read ? "Upstream body failed: " : "Upstream response failed: ";
          return LeanFail(std::move(x), what, ec);
        }
        buffer.commit(n);
        LeanOnBytes(std::move(x));
      });
}

}  // namespace

void UpstreamPool::Impl::SendLean(asio::io_context& where, std::shared_ptr<Connection> connection,
                                  std::string path, Request request, std::shared_ptr<void> hold,
                                  Done done) {
  auto x = std::make_shared<LeanExchange>();
  x->pool = shared_from_this();
  x->where = &where;
  x->path = std::move(path);
  x->connection = std::move(connection);
  x->request = std::move(request);
  x->hold = std::move(hold);
  x->done = std::move(done);
  Connection& c = *x->connection;
  RequestHead(x->request, false, BodyLength(x->request), c.head);
  std::array<asio::const_buffer, 2> whole{asio::buffer(c.head), asio::buffer(x->request.body)};
  asio::async_write(c.socket, whole, [x](const beast::error_code& ec, size_t) mutable {
    if (ec) return LeanStartOver(std::move(x));  // an idle connection the upstream had closed
    LeanRead(std::move(x));
  });
}

UpstreamPool::UpstreamPool(UpstreamOptions options) : impl_(std::make_shared<Impl>(options)) {
  for (int i = 0; i < std::max(1, options.io_threads); ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
  }
}

UpstreamPool::~UpstreamPool() {
  impl_->work.reset();
  impl_->io.stop();
  for (std::thread& t : impl_->threads) t.join();
}

void UpstreamPool::Send(const std::string& socket_path, Request request, std::shared_ptr<void> hold,
                        Done done) {
  // On the calling server thread's io_context when there is one (the front door's handler):
  // the exchange then never leaves it. Else on the pool's own threads.
  asio::io_context* io = CurrentServerIo();
  if (!io) io = &impl_->io;
  if (!request.body_reader) {
    if (std::shared_ptr<Connection> idle = impl_->TakeIdle(socket_path, io)) {
      impl_->SendLean(*io, std::move(idle), socket_path, std::move(request), std::move(hold),
                      std::move(done));
      return;
    }
  }
  asio::co_spawn(
      *io, impl_->Exchange(*io, socket_path, std::move(request), std::move(hold), std::move(done)),
      asio::detached);
}

void UpstreamPool::Forget(const std::string& socket_path) {
  std::vector<std::shared_ptr<Connection>> dropped;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->idle.find(socket_path);
    if (it == impl_->idle.end()) return;
    dropped = std::move(it->second);
    impl_->idle.erase(it);
  }
  // Idle: nothing else uses these sockets, so they are closed here, whatever io_context they
  // belong to.
  for (const auto& connection : dropped) {
    beast::error_code ec;
    connection->socket.close(ec);
  }
}

void UpstreamPool::CloseIdle() {
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> dropped;
  {
    std::lock_guard lock(impl_->mutex);
    dropped.swap(impl_->idle);
  }
  dropped.clear();
}

}  // namespace almanac::http
