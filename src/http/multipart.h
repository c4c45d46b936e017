// MultipartParser: a streaming parser of multipart/form-data bodies (RFC 7578, RFC 2046 §5.1).
// Bytes are fed in pieces of any size, as they arrive; the parser tells a sink where each part
// begins (its name, file name and content type), hands over the part's bytes as soon as they
// cannot be the start of a boundary, and where it ends. It holds at most one part's headers and
// a boundary's length of bytes, so a part of any size passes through in constant memory.
//
// Malformed input (a missing or unterminated boundary, headers too long or unparseable, a part
// without a form-data Content-Disposition, too many parts, the body ending before the closing
// boundary) is InvalidArgument with a message that says what was wrong. Pure: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace almanac::http {

// The boundary parameter of a multipart/form-data Content-Type ("multipart/form-data;
// boundary=xyz", quoted or not). InvalidArgument for another media type or a missing, empty or
// over-long (> 70 characters, RFC 2046) boundary.
Result<std::string> MultipartBoundary(std::string_view content_type);

// The parameters of one part, from its Content-Disposition and Content-Type headers.
struct MultipartPart {
  std::string name;                     // the form field's name
  std::optional<std::string> filename;  // set for a file field (possibly empty: no file chosen)
  std::string content_type;             // as sent, "" when absent
};

class MultipartSink {
 public:
  virtual ~MultipartSink() = default;
  // A non-ok Status from any of these stops the parser and is returned by Feed.
  virtual Status OnPartBegin(const MultipartPart& part) = 0;
  virtual Status OnPartData(std::string_view bytes) = 0;
  virtual Status OnPartEnd() = 0;
};

struct MultipartLimits {
  size_t max_header_bytes = 16 * 1024;  // one part's headers together
  size_t max_parts = 64;
};

class MultipartParser {
 public:
  MultipartParser(std::string boundary, MultipartSink& sink, MultipartLimits limits = {});

  // Parses the next bytes of the body. After an error every later call returns it again.
  Status Feed(std::string_view bytes);
  // The body has ended: InvalidArgument unless the closing boundary was seen.
  Status Finish();
  // True once the closing boundary has been read (what follows it is ignored).
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kBody, kDone };

  Status Step(bool& progressed);
  Status ParseHeaders(std::string_view block);
  Status Fail(std::string message);

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartSink& sink_;
  MultipartLimits limits_;
  State state_ = State::kPreamble;
  std::string pending_;  // bytes received and not yet consumed
  size_t parts_ = 0;
  Status error_;
};

}  // namespace almanac::http
