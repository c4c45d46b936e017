#include "ingest/byte_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"
#include "core/utf8.h"

namespace almanac::ingest {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// A file descriptor. Regular files rewind with a seek; anything else (a pipe, a terminal) is
// copied to an unnamed temporary file as it is read, and a rewind replays that copy before
// reading on.
class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {
    struct stat st {};
    if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  }
  ~FdSource() override {
    if (owned_) close(fd_);
    if (spool_ >= 0) close(spool_);
  }
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (spool_ >= 0 && position_ < spooled_) {
      ssize_t n = pread(spool_, buffer, std::min<uint64_t>(capacity, spooled_ - position_),
                        static_cast<off_t>(position_));
      if (n < 0) return InvalidArgument(Errno("Could not read the spooled copy of " + name_));
      position_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    ssize_t n;
    do {
      n = read(fd_, buffer, capacity);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return InvalidArgument(Errno("Could not read " + name_));
    if (!size_ && n > 0) ALM_RETURN_IF_ERROR(Spool(buffer, static_cast<size_t>(n)));
    position_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

  Status Rewind() override {
    if (size_) {
      if (lseek(fd_, 0, SEEK_SET) < 0) return InvalidArgument(Errno("Could not rewind " + name_));
    }
    position_ = 0;
    return Status::Ok();
  }

  std::optional<uint64_t> size() const override { return size_; }

 private:
  Status Spool(const char* data, size_t n) {
    if (spool_ < 0) {
      const char* dir = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe)
      spool_ = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (spool_ < 0) return InvalidArgument(Errno("Could not create a temporary file"));
    }
    while (n > 0) {
      ssize_t w = pwrite(spool_, data, n, static_cast<off_t>(spooled_));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return InvalidArgument(Errno("Could not write a temporary file"));
      data += w;
      n -= static_cast<size_t>(w);
      spooled_ += static_cast<uint64_t>(w);
    }
    return Status::Ok();
  }

  int fd_;
  bool owned_;
  std::string name_;
  std::optional<uint64_t> size_;
  int spool_ = -1;
  uint64_t spooled_ = 0;
};

class ViewSource : public ByteSource {
 public:
  explicit ViewSource(std::string_view text) : text_(text) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::min<size_t>(capacity, text_.size() - position_);
    std::memcpy(buffer, text_.data() + position_, n);
    position_ += n;
    return n;
  }
  Status Rewind() override {
    position_ = 0;
    return Status::Ok();
  }
  std::optional<uint64_t> size() const override { return text_.size(); }

 protected:
  std::string_view text_;
};

class OwnedStringSource : public ViewSource {
 public:
  explicit OwnedStringSource(std::string text) : ViewSource({}), owned_(std::move(text)) {
    text_ = owned_;
  }

 private:
  std::string owned_;
};

// iconv from `encoding` to UTF-8, reading the inner source in chunks; a multi-byte sequence
// split across chunks waits for the next one.
class TranscodingSource : public ByteSource {
 public:
  TranscodingSource(std::unique_ptr<ByteSource> inner, iconv_t cd, std::string encoding)
      : inner_(std::move(inner)), cd_(cd), encoding_(std::move(encoding)), in_(1 << 16) {}
  ~TranscodingSource() override { iconv_close(cd_); }
  TranscodingSource(const TranscodingSource&) = delete;
  TranscodingSource& operator=(const TranscodingSource&) = delete;

  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t produced = 0;
    while (produced == 0) {
      if (pending_ == 0 || need_more_) {
        if (eof_) {
          if (pending_ > 0) return Invalid("a truncated character at the end");
          return size_t{0};
        }
        std::memmove(in_.data(), in_.data() + start_, pending_);
        start_ = 0;
        ALM_ASSIGN_OR_RETURN(size_t n, inner_->Read(in_.data() + pending_, in_.size() - pending_));
        if (n == 0) eof_ = true;
        pending_ += n;
        need_more_ = false;
        if (pending_ == 0) continue;
      }
      char* in = in_.data() + start_;
      char* out = buffer + produced;
      size_t in_left = pending_, out_left = capacity - produced;
      size_t rc = iconv(cd_, &in, &in_left, &out, &out_left);
      consumed_ += pending_ - in_left;
      start_ += pending_ - in_left;
      pending_ = in_left;
      produced = capacity - out_left;
      if (rc == static_cast<size_t>(-1)) {
        if (errno == EILSEQ) return Invalid("bytes that are not valid");
        if (errno == EINVAL) need_more_ = true;  // an incomplete sequence: read on
        if (errno == E2BIG && produced == 0) return InvalidArgument("Read buffer too small");
      }
    }
    position_ += produced;
    return produced;
  }

  Status Rewind() override {
    ALM_RETURN_IF_ERROR(inner_->Rewind());
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    position_ = consumed_ = 0;
    start_ = pending_ = 0;
    eof_ = need_more_ = false;
    return Status::Ok();
  }

  // Progress is measured on the input side, whose size is known.
  std::optional<uint64_t> size() const override { return inner_->size(); }

 private:
  Status Invalid(const std::string& what) {
    return InvalidArgument("The input has " + what + " in encoding " + encoding_ + " (near byte " +
                           std::to_string(consumed_) + ")");
  }

  std::unique_ptr<ByteSource> inner_;
  iconv_t cd_;
  std::string encoding_;
  std::vector<char> in_;
  size_t start_ = 0, pending_ = 0;
  uint64_t consumed_ = 0;
  bool eof_ = false, need_more_ = false;
};

// Python codec spellings iconv does not know.
std::string IconvName(std::string_view encoding) {
  std::string name = AsciiLower(encoding);
  for (char& c : name) {
    if (c == '_') c = '-';
  }
  if (name == "latin-1" || name == "l1" || name == "iso8859-1") return "LATIN1";
  if (name == "utf-16-le") return "UTF-16LE";
  if (name == "utf-16-be") return "UTF-16BE";
  if (name == "mac-roman") return "MACINTOSH";
  if (name.starts_with("cp") || name.starts_with("windows-")) return name;
  return name;
}

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path) {
  if (path == "-") return std::unique_ptr<ByteSource>(new FdSource(0, false, "standard input"));
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("File not found: " + path);
    return InvalidArgument(Errno("Could not open " + path));
  }
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return InvalidArgument("Not a file: " + path);
  }
  return std::unique_ptr<ByteSource>(new FdSource(fd, true, path));
}

std::unique_ptr<ByteSource> OpenDescriptor(int fd, std::string name) {
  return std::make_unique<FdSource>(fd, true, std::move(name));
}

std::unique_ptr<ByteSource> StringSource(std::string text) {
  return std::make_unique<OwnedStringSource>(std::move(text));
}

std::unique_ptr<ByteSource> StringViewSource(std::string_view text) {
  return std::make_unique<ViewSource>(text);
}

bool IsValidUtf8(std::string_view bytes) {
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    if (word & 0x8080808080808080ULL) break;
  }
  while (i < bytes.size()) {
    if (!(static_cast<unsigned char>(bytes[i]) & 0x80)) {
      ++i;
      continue;
    }
    Utf8Char c = DecodeUtf8(bytes, i);
    if (!c.valid) return false;
    i += c.length;
  }
  return true;
}

bool IsUtf8Name(std::string_view encoding) {
  std::string name = AsciiLower(encoding);
  std::erase_if(name, [](char c) { return c == '-' || c == '_'; });
  return name == "utf8" || name == "utf8sig" || name == "u8";
}

Result<std::unique_ptr<ByteSource>> Transcode(std::unique_ptr<ByteSource> inner,
                                              const std::string& encoding) {
  iconv_t cd = iconv_open("UTF-8", IconvName(encoding).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return InvalidArgument("Unknown encoding: " + encoding);
  }
  return std::unique_ptr<ByteSource>(new TranscodingSource(std::move(inner), cd, encoding));
}

}  // namespace almanac::ingest
