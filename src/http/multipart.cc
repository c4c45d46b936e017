#include "http/multipart.h"

#include <utility>
#include <vector>

#include "core/text.h"

namespace almanac::http {
namespace {

constexpr size_t kMaxBoundary = 70;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The parameters of a header value ("form-data; name=\"a\"; filename=b"), names lower-cased;
// quoted values unescaped (\" and \\). The first item (the value itself) is under "".
std::vector<std::pair<std::string, std::string>> HeaderParameters(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  bool first = true;
  while (i <= value.size()) {
    while (i < value.size() && IsSpace(value[i])) ++i;
    size_t name_start = i;
    while (i < value.size() && value[i] != '=' && value[i] != ';') ++i;
    std::string name(Trim(value.substr(name_start, i - name_start)));
    std::string text;
    if (i < value.size() && value[i] == '=') {
      ++i;
      while (i < value.size() && IsSpace(value[i])) ++i;
      if (i < value.size() && value[i] == '"') {
        ++i;
        while (i < value.size() && value[i] != '"') {
          if (value[i] == '\\' && i + 1 < value.size()) ++i;
          text += value[i++];
        }
        if (i < value.size()) ++i;  // the closing quote
        while (i < value.size() && value[i] != ';') ++i;
      } else {
        size_t start = i;
        while (i < value.size() && value[i] != ';') ++i;
        text = std::string(Trim(value.substr(start, i - start)));
      }
      out.emplace_back(AsciiLower(name), std::move(text));
    } else if (first) {
      out.emplace_back("", AsciiLower(name));
    } else if (!name.empty()) {
      out.emplace_back(AsciiLower(name), "");
    }
    first = false;
    if (i >= value.size()) break;
    ++i;  // the ';'
  }
  return out;
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto params = HeaderParameters(content_type);
  if (params.empty() || params.front().first != "" ||
      params.front().second != "multipart/form-data") {
    return InvalidArgument(
        "Expected a multipart/form-data body (an HTML form with "
        "enctype=\"multipart/form-data\")");
  }
  for (const auto& [name, value] : params) {
    if (name != "boundary") continue;
    if (value.empty() || value.size() > kMaxBoundary) {
      return InvalidArgument("The multipart/form-data boundary must have 1 to 70 characters");
    }
    return value;
  }
  return InvalidArgument("The multipart/form-data Content-Type has no boundary");
}

MultipartParser::MultipartParser(std::string boundary, MultipartSink& sink, MultipartLimits limits)
    : delimiter_("\r\n--" + boundary), sink_(sink), limits_(limits) {
  // The first boundary may open the body: treat the body as if a line break preceded it.
  pending_ = "\r\n";
}

Status MultipartParser::Fail(std::string message) {
  error_ = InvalidArgument("Malformed multipart/form-data body: " + std::move(message));
  return error_;
}

Status MultipartParser::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (state_ == State::kDone) return Status::Ok();
  pending_.append(bytes);
  bool progressed = true;
  while (progressed && state_ != State::kDone) {
    progressed = false;
    Status status = Step(progressed);
    if (!status.ok()) {
      if (error_.ok()) error_ = status;
      return error_;
    }
  }
  if (state_ == State::kDone) pending_.clear();
  return Status::Ok();
}

// Consumes what it can of pending_ in the current state; `progressed` says whether it moved.
Status MultipartParser::Step(bool& progressed) {
  switch (state_) {
    case State::kPreamble: {
      size_t at = pending_.find(delimiter_);
      if (at == std::string::npos) {
        // Keep only what could be the start of the first boundary.
        if (pending_.size() >= delimiter_.size()) {
          pending_.erase(0, pending_.size() - (delimiter_.size() - 1));
        }
        return Status::Ok();
      }
      pending_.erase(0, at + delimiter_.size());
      state_ = State::kAfterBoundary;
      progressed = true;
      return Status::Ok();
    }
    case State::kAfterBoundary: {
      // "--" closes the body; otherwise optional padding, then a line break, then headers.
      if (pending_.size() < 2) return Status::Ok();
      if (pending_.compare(0, 2, "--") == 0) {
        state_ = State::kDone;
        progressed = true;
        return Status::Ok();
      }
      size_t i = 0;
      while (i < pending_.size() && IsSpace(pending_[i])) ++i;
      if (i > kMaxBoundary) return Fail("a boundary line has trailing text");
      if (pending_.size() < i + 2) return Status::Ok();
      if (pending_.compare(i, 2, "\r\n") != 0) return Fail("a boundary line has trailing text");
      pending_.erase(0, i + 2);
      if (++parts_ > limits_.max_parts) {
        return Fail("more than " + std::to_string(limits_.max_parts) + " parts");
      }
      state_ = State::kHeaders;
      progressed = true;
      return Status::Ok();
    }
    case State::kHeaders: {
      size_t end;
      size_t skip;
      if (pending_.starts_with("\r\n")) {
        end = 0;  // a part with no headers
        skip = 2;
      } else {
        end = pending_.find("\r\n\r\n");
        skip = 4;
      }
      if (end == std::string::npos) {
        if (pending_.size() > limits_.max_header_bytes) {
          return Fail("a part's headers are longer than " +
                      std::to_string(limits_.max_header_bytes) + " bytes");
        }
        return Status::Ok();
      }
      if (end > limits_.max_header_bytes) {
        return Fail("a part's headers are longer than " + std::to_string(limits_.max_header_bytes) +
                    " bytes");
      }
      std::string block = pending_.substr(0, end);
      pending_.erase(0, end + skip);
      ALM_RETURN_IF_ERROR(ParseHeaders(block));
      state_ = State::kBody;
      progressed = true;
      return Status::Ok();
    }
    case State::kBody: {
      size_t at = pending_.find(delimiter_);
      if (at == std::string::npos) {
        // Everything but a possible start of the delimiter is the part's.
        if (pending_.size() >= delimiter_.size()) {
          size_t safe = pending_.size() - (delimiter_.size() - 1);
          ALM_RETURN_IF_ERROR(sink_.OnPartData(std::string_view(pending_).substr(0, safe)));
          pending_.erase(0, safe);
        }
        return Status::Ok();
      }
      if (at > 0) ALM_RETURN_IF_ERROR(sink_.OnPartData(std::string_view(pending_).substr(0, at)));
      pending_.erase(0, at + delimiter_.size());
      ALM_RETURN_IF_ERROR(sink_.OnPartEnd());
      state_ = State::kAfterBoundary;
      progressed = true;
      return Status::Ok();
    }
    case State::kDone:
      return Status::Ok();
  }
  return Status::Ok();
}

Status MultipartParser::ParseHeaders(std::string_view block) {
  MultipartPart part;
  bool disposition = false;
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    if (line.find('\0') != std::string_view::npos) return Fail("a part's headers hold a NUL byte");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Fail("a part's header line has no name");
    }
    std::string name = AsciiLower(std::string(Trim(line.substr(0, colon))));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      auto params = HeaderParameters(value);
      if (params.empty() || params.front().second != "form-data") {
        return Fail("a part's Content-Disposition is not form-data");
      }
      disposition = true;
      for (const auto& [key, text] : params) {
        if (key == "name") part.name = text;
        if (key == "filename") part.filename = text;
      }
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (!disposition) return Fail("a part has no Content-Disposition header");
  return sink_.OnPartBegin(part);
}

Status MultipartParser::Finish() {
  if (!error_.ok()) return error_;
  if (state_ != State::kDone) return Fail("the body ended before its closing boundary");
  return Status::Ok();
}

}  // namespace almanac::http
