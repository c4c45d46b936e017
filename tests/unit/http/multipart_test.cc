// The streaming multipart/form-data parser: parts and their bytes come out the same whatever
// the sizes of the pieces the body arrives in; malformed bodies are refused with a reason.
#include "http/multipart.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace almanac::http {
namespace {

struct Collected {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
  bool ended = false;
};

class Collector : public MultipartSink {
 public:
  std::vector<Collected> parts;
  size_t largest_piece = 0;

  Status OnPartBegin(const MultipartPart& part) override {
    parts.push_back({part.name, part.filename, part.content_type, "", false});
    return Status::Ok();
  }
  Status OnPartData(std::string_view bytes) override {
    EXPECT_FALSE(parts.empty());
    parts.back().data.append(bytes);
    largest_piece = std::max(largest_piece, bytes.size());
    return Status::Ok();
  }
  Status OnPartEnd() override {
    parts.back().ended = true;
    return Status::Ok();
  }
};

const std::string kBody =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"table\"\r\n"
    "\r\n"
    "my table\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".csv\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "id,name\r\n1,--XyZ not a boundary\r\n2,\r\n--X\r\n"
    "--XyZ--\r\n"
    "epilogue";

Status ParseInPieces(const std::string& body, size_t piece, Collector& sink,
                     const std::string& boundary = "b") {
  MultipartParser parser(boundary, sink);
  for (size_t i = 0; i < body.size(); i += piece) {
    Status status = parser.Feed(std::string_view(body).substr(i, piece));
    if (!status.ok()) return status;
  }
  return parser.Finish();
}

TEST(MultipartTest, PartsAreTheSameWhateverThePieceSize) {
  for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, kBody.size()}) {
    Collector sink;
    ASSERT_TRUE(ParseInPieces(kBody, piece, sink, "XyZ").ok()) << piece;
    ASSERT_EQ(sink.parts.size(), 2u) << piece;
    EXPECT_EQ(sink.parts[0].name, "table");
    EXPECT_FALSE(sink.parts[0].filename.has_value());
    EXPECT_EQ(sink.parts[0].data, "my table");
    EXPECT_TRUE(sink.parts[0].ended);
    EXPECT_EQ(sink.parts[1].name, "file");
    EXPECT_EQ(sink.parts[1].filename, "a \"b\".csv");
    EXPECT_EQ(sink.parts[1].content_type, "text/csv");
    EXPECT_EQ(sink.parts[1].data, "id,name\r\n1,--XyZ not a boundary\r\n2,\r\n--X");
  }
}

TEST(MultipartTest, ALargePartStreamsInPiecesWithoutBeingHeldWhole) {
  std::string big(1 << 20, 'x');
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n" + big +
      "\r\n--b--\r\n";
  Collector sink;
  Status status = ParseInPieces(body, 65536, sink);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(sink.parts.size(), 1u);
  EXPECT_EQ(sink.parts[0].data.size(), big.size());
  EXPECT_LE(sink.largest_piece, size_t{65536 + 16});
}

TEST(MultipartTest, BoundaryFromContentType) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""), "a b");
  EXPECT_FALSE(MultipartBoundary("application/x-www-form-urlencoded").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).ok());
}

TEST(MultipartTest, MalformedBodiesAreRefused) {
  auto refused = [](const std::string& body) {
    Collector sink;
    Status status = ParseInPieces(body, 5, sink);
    return !status.ok() && status.message().starts_with("Malformed multipart/form-data body");
  };
  // No closing boundary; no boundary at all; a truncated part.
  EXPECT_TRUE(refused("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"));
  EXPECT_TRUE(refused("just text"));
  EXPECT_TRUE(refused(""));
  // A part without Content-Disposition, or not form-data.
  EXPECT_TRUE(refused("--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--"));
  EXPECT_TRUE(refused("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--b--"));
  // Garbage after a boundary; a header line without a name; headers that never end.
  EXPECT_TRUE(refused("--bzz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--"));
  EXPECT_TRUE(refused("--b\r\nno colon here\r\n\r\n1\r\n--b--"));
  EXPECT_TRUE(refused("--b\r\nX-A: " + std::string(20000, 'a')));
  // Too many parts.
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n";
  EXPECT_TRUE(refused(many + "--b--"));
}

TEST(MultipartTest, AnErrorFromTheSinkStopsTheParser) {
  class Refuser : public Collector {
   public:
    Status OnPartData(std::string_view) override { return InvalidArgument("too big"); }
  } sink;
  MultipartParser parser("b", sink);
  Status status =
      parser.Feed("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n12345\r\n--b--");
  EXPECT_EQ(status.message(), "too big");
  EXPECT_EQ(parser.Feed("more").message(), "too big");
}

TEST(MultipartTest, EmptyFileFieldAndPartWithoutHeaderValues) {
  Collector sink;
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\r\n--b--";
  Status status = ParseInPieces(body, 4, sink);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(sink.parts.size(), 1u);
  EXPECT_EQ(sink.parts[0].filename, "");
  EXPECT_EQ(sink.parts[0].data, "");
}

}  // namespace
}  // namespace almanac::http
