#include "http/body_reader.h"

#include <limits>
#include <utility>

namespace almanac::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

StreamedBody::StreamedBody(asio::any_io_executor executor, std::shared_ptr<ServerStream> stream,
                           std::shared_ptr<beast::flat_buffer> buffer,
                           bhttp::request_parser<bhttp::empty_body>&& head,
                           std::chrono::seconds timeout, bool send_continue)
    : executor_(std::move(executor)),
      stream_(std::move(stream)),
      buffer_(std::move(buffer)),
      parser_(std::move(head)),
      timeout_(timeout),
      send_continue_(send_continue),
      chunk_(kChunkBytes) {
  parser_.body_limit(std::numeric_limits<std::uint64_t>::max());  // the handler decides
  if (boost::optional<uint64_t> n = parser_.content_length()) length_ = *n;
  // Beast reads as much as the buffer has room for: give it room for a whole part.
  buffer_->reserve(kChunkBytes);
}

void StreamedBody::Read(Deliver deliver) {
  asio::co_spawn(executor_, ReadSome(shared_from_this(), std::move(deliver)), asio::detached);
}

asio::awaitable<void> StreamedBody::ReadSome(std::shared_ptr<StreamedBody> self, Deliver deliver) {
  if (self->finished_ || self->reading_) {
    deliver(Status(ErrorCode::kUnavailable, "The request body is no longer available"), {}, true);
    co_return;
  }
  if (self->parser_.is_done()) {
    deliver(Status::Ok(), {}, true);
    co_return;
  }
  self->reading_ = true;
  beast::error_code ec;
  if (self->send_continue_) {
    self->send_continue_ = false;
    bhttp::response<bhttp::empty_body> go_ahead{bhttp::status::continue_, 11};
    self->stream_->expires_after(self->timeout_);
    co_await bhttp::async_write(*self->stream_, go_ahead,
                                asio::redirect_error(asio::use_awaitable, ec));
  }
  size_t got = 0;
  while (!ec && got == 0 && !self->parser_.is_done()) {
    auto& body = self->parser_.get().body();
    body.data = self->chunk_.data();
    body.size = self->chunk_.size();
    body.more = true;
    self->stream_->expires_after(self->timeout_);
    co_await bhttp::async_read_some(*self->stream_, *self->buffer_, self->parser_,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    got = self->chunk_.size() - self->parser_.get().body().size;
  }
  self->reading_ = false;
  if (ec) {
    self->finished_ = true;
    deliver(Status(ErrorCode::kUnavailable, "Reading the request body failed: " + ec.message()), {},
            true);
    co_return;
  }
  deliver(Status::Ok(), std::string_view(self->chunk_.data(), got), self->parser_.is_done());
}

bool StreamedBody::Finish() {
  bool reusable = !reading_ && parser_.is_done();
  finished_ = true;
  return reusable;
}

}  // namespace almanac::http
