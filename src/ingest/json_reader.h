// JsonReader: streams records (JSON objects) out of a JSON array of objects, or out of objects
// one after another — newline-delimited JSON, or a single object. Each record is found by a
// byte scanner (strings and nesting tracked) and parsed on its own, so memory holds one read
// chunk plus the largest record, never the whole array.
//
//   auto source = ingest::StringViewSource(R"([{"id": 1}, {"id": 2}])");
//   ingest::JsonReader reader(*source, ingest::JsonReader::Layout::kAuto);
//   while (true) {
//     ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
//     if (!more) break;
//     use(reader.record(), reader.line());   // a JsonValue object
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"
#include "ingest/byte_source.h"

namespace almanac::ingest {

class JsonReader {
 public:
  // kAuto: an array when the first non-space byte is "[", else a sequence of objects.
  enum class Layout { kAuto, kArray, kLines };

  JsonReader(ByteSource& source, Layout layout);

  // The next record: true when one is available, false at the end. InvalidArgument naming the
  // line for malformed JSON or a record that is not an object.
  Result<bool> Next();
  const format::JsonValue& record() const { return record_; }
  // The 1-based line on which the current record starts.
  uint64_t line() const { return record_line_; }
  uint64_t position() const { return source_.position(); }
  std::optional<uint64_t> size() const { return source_.size(); }
  Status Rewind();

 private:
  enum class Scan { kValue, kEnd, kNeedMore, kError };
  Scan ScanValue();
  Status Fill();
  Scan Fail(uint64_t line, const std::string& message);

  ByteSource& source_;
  Layout layout_;
  bool array_ = false;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false, started_ = false, closed_ = false, need_comma_ = false;
  uint64_t line_ = 1, record_line_ = 0;
  format::JsonValue record_;
  Status error_;
};

}  // namespace almanac::ingest
