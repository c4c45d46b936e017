// TextDecoder: bytes in a named encoding (Python's codec names: "latin-1", "cp1252",
// "utf-16", ...) to UTF-8 through iconv, a chunk at a time: a character split between two
// chunks is completed by the next. A UTF-8 byte order mark at the start is dropped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <iconv.h>

#include "core/status.h"

namespace almanac::client {

class TextDecoder {
 public:
  // No encoding, or any spelling of UTF-8: the bytes pass through.
  explicit TextDecoder(const std::optional<std::string>& encoding);
  ~TextDecoder();
  TextDecoder(const TextDecoder&) = delete;
  TextDecoder& operator=(const TextDecoder&) = delete;

  // "Unknown encoding: ..." when iconv knows no such encoding; else OK.
  const Status& status() const { return status_; }
  // Decodes `bytes`, appending UTF-8 to `out`.
  Status Append(std::string_view bytes, std::string& out);
  // At the end of the input: bytes of an unfinished character are an error.
  Status Finish() const;

 private:
  iconv_t cd_;
  Status status_;
  std::string carry_;
  bool bom_checked_ = false;
};

}  // namespace almanac::client
