// ByteSource: where imported bytes come from — a file, standard input or a string — read in
// chunks, with a count of the bytes read so far (for progress bars) and a rewind for a
// second pass. Standard input that is not a regular file is spooled to an unnamed temporary
// file while it is read, so it can be rewound too (the disk holds the copy; memory stays flat).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace almanac::ingest {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`; 0 means the end.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;
  // Starts again from the first byte.
  virtual Status Rewind() = 0;
  // The total size when known up front (regular files, strings).
  virtual std::optional<uint64_t> size() const = 0;
  // Bytes returned by Read since the last rewind.
  uint64_t position() const { return position_; }

 protected:
  uint64_t position_ = 0;
};

// Opens `path` for reading; "-" is standard input. NotFound / InvalidArgument with the path
// in the message when it cannot be opened.
Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path);

// A source over the open file descriptor `fd` (of `name`, for messages), which it closes. A
// regular file rewinds with a seek; anything else is spooled as standard input is.
std::unique_ptr<ByteSource> OpenDescriptor(int fd, std::string name);

// A source over a copy of `text`.
std::unique_ptr<ByteSource> StringSource(std::string text);

// A source over `text`, which must outlive it (no copy).
std::unique_ptr<ByteSource> StringViewSource(std::string_view text);

// Wraps `inner`, converting its bytes from `encoding` (a Python codec name such as latin-1,
// cp1252, iso-8859-15, utf-16; any spelling iconv knows) to UTF-8. InvalidArgument for an
// unknown encoding, or on Read for bytes that are not valid in it.
Result<std::unique_ptr<ByteSource>> Transcode(std::unique_ptr<ByteSource> inner,
                                              const std::string& encoding);

// True when `bytes` is well-formed UTF-8 (an ASCII fast path first).
bool IsValidUtf8(std::string_view bytes);

// True when `encoding` names UTF-8 (utf-8, utf8, utf-8-sig, ...): no transcoding is needed.
bool IsUtf8Name(std::string_view encoding);

}  // namespace almanac::ingest
