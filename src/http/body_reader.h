// Inside the server: the stream type of a connection, and the BodyReader a handler gets for a
// streamed request body (BodyMode::kStream). Sees Beast; included only by src/http/*.cc.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "http/asio.h"
#include "http/message.h"

namespace almanac::http {

using ServerStream = boost::beast::basic_stream<boost::asio::generic::stream_protocol>;

// Reads the body of one request from its connection, part by part, on the connection's strand.
// Owns shares of the stream and its read buffer, so a handler that keeps the reader past the
// request never touches freed memory: its reads then fail.
class StreamedBody : public BodyReader, public std::enable_shared_from_this<StreamedBody> {
 public:
  StreamedBody(boost::asio::any_io_executor executor, std::shared_ptr<ServerStream> stream,
               std::shared_ptr<boost::beast::flat_buffer> buffer,
               boost::beast::http::request_parser<boost::beast::http::empty_body>&& head,
               std::chrono::seconds timeout, bool send_continue);

  void Read(Deliver deliver) override;
  std::optional<uint64_t> length() const override { return length_; }

  // Called by the session, on the strand, once the response is ready: true when the body was
  // read to its end and no read is in progress (the connection can take another request).
  // Reads after this fail.
  bool Finish();
  // True while a read is in progress (the connection's socket is not free to read).
  bool reading() const { return reading_; }

 private:
  static boost::asio::awaitable<void> ReadSome(std::shared_ptr<StreamedBody> self, Deliver deliver);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<ServerStream> stream_;
  std::shared_ptr<boost::beast::flat_buffer> buffer_;
  boost::beast::http::request_parser<boost::beast::http::buffer_body> parser_;
  std::chrono::seconds timeout_;
  bool send_continue_;
  std::optional<uint64_t> length_;
  std::vector<char> chunk_;
  bool reading_ = false;
  bool finished_ = false;
};

}  // namespace almanac::http
