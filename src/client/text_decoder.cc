#include "client/text_decoder.h"

#include <cerrno>
#include <cstring>

namespace almanac::client {
namespace {

const iconv_t kNone = reinterpret_cast<iconv_t>(-1);

std::string Upper(std::string_view s, bool drop_separators) {
  std::string out;
  for (char c : s) {
    if (drop_separators && (c == '-' || c == '_')) continue;
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : (c == '_' ? '-' : c));
  }
  return out;
}

// Python spells "latin-1" and "utf_16" where iconv wants LATIN1 and UTF-16.
iconv_t Open(const std::string& name) {
  for (const std::string& candidate : {name, Upper(name, false), Upper(name, true)}) {
    iconv_t cd = iconv_open("UTF-8", candidate.c_str());
    if (cd != kNone) return cd;
  }
  return kNone;
}

}  // namespace

TextDecoder::TextDecoder(const std::optional<std::string>& encoding) : cd_(kNone) {
  if (!encoding) return;
  std::string canonical = Upper(*encoding, true);
  if (canonical == "UTF8" || canonical == "UTF8SIG") return;
  cd_ = Open(*encoding);
  if (cd_ == kNone) status_ = InvalidArgument("Unknown encoding: " + *encoding);
}

TextDecoder::~TextDecoder() {
  if (cd_ != kNone) iconv_close(cd_);
}

Status TextDecoder::Append(std::string_view bytes, std::string& out) {
  if (!status_.ok()) return status_;
  size_t start = out.size();
  if (cd_ == kNone) {
    out.append(bytes);
  } else {
    carry_.append(bytes);
    std::string buffer(carry_.size() * 4 + 16, '\0');
    char* in = carry_.data();
    size_t in_left = carry_.size();
    char* o = buffer.data();
    size_t out_left = buffer.size();
    if (iconv(cd_, &in, &in_left, &o, &out_left) == static_cast<size_t>(-1) && errno != EINVAL) {
      return InvalidArgument("Could not decode the input: " + std::string(std::strerror(errno)));
    }
    out.append(buffer.data(), buffer.size() - out_left);
    carry_.erase(0, carry_.size() - in_left);
  }
  if (!bom_checked_ && out.size() - start >= 3) {
    bom_checked_ = true;
    if (std::string_view(out).substr(start, 3) == "\xEF\xBB\xBF") out.erase(start, 3);
  }
  return Status::Ok();
}

Status TextDecoder::Finish() const {
  if (!carry_.empty()) return InvalidArgument("The input ends inside a character");
  return Status::Ok();
}

}  // namespace almanac::client
