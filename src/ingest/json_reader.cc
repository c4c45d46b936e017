#include "ingest/json_reader.h"

#include <cstring>

namespace almanac::ingest {
namespace {

constexpr size_t kChunk = 1 << 20;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

JsonReader::JsonReader(ByteSource& source, Layout layout)
    : source_(source), layout_(layout), buffer_(kChunk) {}

Status JsonReader::Rewind() {
  ALM_RETURN_IF_ERROR(source_.Rewind());
  pos_ = end_ = 0;
  eof_ = started_ = closed_ = need_comma_ = array_ = false;
  line_ = 1;
  record_line_ = 0;
  return Status::Ok();
}

Status JsonReader::Fill() {
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  ALM_ASSIGN_OR_RETURN(size_t n, source_.Read(buffer_.data() + end_, buffer_.size() - end_));
  if (n == 0) eof_ = true;
  end_ += n;
  return Status::Ok();
}

JsonReader::Scan JsonReader::Fail(uint64_t line, const std::string& message) {
  error_ = InvalidArgument("Line " + std::to_string(line) + ": " + message);
  return Scan::kError;
}

Result<bool> JsonReader::Next() {
  while (true) {
    Scan scan = ScanValue();
    if (scan == Scan::kValue) return true;
    if (scan == Scan::kEnd) return false;
    if (scan == Scan::kError) return error_;
    if (eof_) return InvalidArgument("Line " + std::to_string(line_) + ": the JSON is truncated");
    ALM_RETURN_IF_ERROR(Fill());
  }
}

JsonReader::Scan JsonReader::ScanValue() {
  const char* b = buffer_.data();
  auto skip_space = [&] {
    while (pos_ < end_ && IsSpace(b[pos_])) {
      if (b[pos_] == '\n') ++line_;
      ++pos_;
    }
  };
  if (!started_) {
    if (pos_ == 0 && end_ - pos_ < 3 && !eof_) return Scan::kNeedMore;
    if (end_ >= 3 && std::memcmp(b, "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    skip_space();
    if (pos_ == end_ && !eof_) return Scan::kNeedMore;
    array_ =
        layout_ == Layout::kArray || (layout_ == Layout::kAuto && pos_ < end_ && b[pos_] == '[');
    if (array_) {
      if (pos_ == end_) return Fail(line_, "expected a JSON array");
      if (b[pos_] != '[') return Fail(line_, "expected a JSON array");
      ++pos_;
    }
    started_ = true;
  }
  skip_space();
  if (array_) {
    while (true) {
      if (pos_ == end_) {
        if (!eof_) return Scan::kNeedMore;
        return closed_ ? Scan::kEnd : Fail(line_, "the JSON array is never closed");
      }
      if (closed_) return Fail(line_, "unexpected text after the JSON array");
      if (b[pos_] == ']') {
        ++pos_;
        closed_ = true;
        skip_space();
        continue;
      }
      if (!need_comma_) break;
      if (b[pos_] != ',') return Fail(line_, "expected , or ] between records");
      ++pos_;
      need_comma_ = false;
      skip_space();
      if (pos_ < end_ && b[pos_] == ']') return Fail(line_, "a trailing comma in the array");
    }
  } else if (pos_ == end_) {
    return eof_ ? Scan::kEnd : Scan::kNeedMore;
  }
  // One value: an object or array by nesting, else a scalar up to a separator.
  size_t p = pos_;
  uint64_t line = line_;
  if (layout_ == Layout::kLines) {
    // Newline-delimited: the record is the rest of the line.
    const void* newline = std::memchr(b + p, '\n', end_ - p);
    if (!newline && !eof_) return Scan::kNeedMore;
    p = newline ? static_cast<size_t>(static_cast<const char*>(newline) - b) : end_;
    while (p > pos_ && IsSpace(b[p - 1])) --p;
  } else if (b[p] == '{' || b[p] == '[') {
    int depth = 0;
    while (p < end_) {
      char c = b[p++];
      if (c == '"') {
        while (p < end_ && b[p] != '"') p += b[p] == '\\' ? 2 : 1;
        if (p >= end_) return Scan::kNeedMore;
        ++p;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) break;
      } else if (c == '\n') {
        ++line;
      }
    }
    if (depth != 0) return Scan::kNeedMore;
  } else {
    while (p < end_ && !IsSpace(b[p]) && b[p] != ',' && b[p] != ']' && b[p] != '}') ++p;
    if (p == end_ && !eof_) return Scan::kNeedMore;
  }
  std::string_view text(b + pos_, p - pos_);
  Result<format::JsonValue> value = format::ParseJson(text);
  if (!value.ok()) return Fail(line_, value.status().message());
  if (!value->is_object()) {
    std::string shown(text.substr(0, 100));
    return Fail(line_, "each record must be a JSON object, got: " + shown);
  }
  record_ = std::move(value).value();
  record_line_ = line_;
  pos_ = p;
  line_ = line;
  need_comma_ = array_;
  return Scan::kValue;
}

}  // namespace almanac::ingest
