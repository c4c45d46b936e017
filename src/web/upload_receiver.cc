#include "web/upload_receiver.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace almanac::web {
namespace {

constexpr size_t kSignatureBytes = 6;

// The compression formats recognised by their first bytes, so that a compressed upload is
// refused with a reason instead of being read as garbage (or expanded).
std::optional<std::string_view> CompressedFormat(std::string_view head) {
  if (head.starts_with("\x1f\x8b")) return "gzip";
  if (head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06")) return "zip";
  if (head.starts_with("BZh")) return "bzip2";
  if (head.starts_with("\xfd"
                       "7zXZ"))
    return "xz";
  if (head.starts_with("\x28\xb5\x2f\xfd")) return "zstd";
  return std::nullopt;
}

std::string Megabytes(int64_t bytes) {
  return std::to_string(std::max<int64_t>(bytes >> 20, 1)) + " MB";
}

}  // namespace

UploadReceiver::UploadReceiver(std::string spool_dir, int64_t limit)
    : spool_dir_(std::move(spool_dir)), limit_(limit) {}

UploadReceiver::~UploadReceiver() {
  if (fd_ >= 0) close(fd_);
}

int UploadReceiver::ReleaseData() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

Status UploadReceiver::OnPartBegin(const http::MultipartPart& part) {
  field_name_ = part.name;
  field_.clear();
  part_is_file_ = part.name == "file";
  part_filename_ = part.filename.value_or("");
  if (part.name == "file" || part.name == "paste") {
    target_ = Target::kData;
  } else if (part.name == "table" || part.name == "format" || part.name == "append") {
    target_ = Target::kField;
  } else {
    target_ = Target::kIgnore;
  }
  return Status::Ok();
}

Status UploadReceiver::OnPartData(std::string_view bytes) {
  switch (target_) {
    case Target::kIgnore:
      return Status::Ok();
    case Target::kField:
      if (field_.size() + bytes.size() > kMaxFieldBytes) {
        return InvalidArgument("The form field " + field_name_ + " is longer than " +
                               std::to_string(kMaxFieldBytes) + " bytes");
      }
      field_.append(bytes);
      return Status::Ok();
    case Target::kData:
      return Spool(bytes);
  }
  return Status::Ok();
}

Status UploadReceiver::OnPartEnd() {
  if (target_ == Target::kField) {
    if (field_name_ == "table") table_ = field_;
    if (field_name_ == "format") format_ = field_;
    if (field_name_ == "append") append_ = !field_.empty() && field_ != "0" && field_ != "false";
  }
  if (target_ == Target::kData && data_part_ == field_name_ && head_.size() < kSignatureBytes) {
    if (std::optional<std::string_view> compressed = CompressedFormat(head_)) {
      return InvalidArgument("The upload is " + std::string(*compressed) +
                             "-compressed: compressed files are not expanded; upload the CSV, "
                             "TSV or JSON itself");
    }
  }
  target_ = Target::kIgnore;
  return Status::Ok();
}

Status UploadReceiver::Spool(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  if (!data_part_.empty() && data_part_ != field_name_) {
    return InvalidArgument("Upload a file or paste data, not both");
  }
  if (data_part_.empty()) {
    data_part_ = field_name_;
    pasted_ = !part_is_file_;
    filename_ = part_is_file_ ? part_filename_ : "";
  }
  if (static_cast<int64_t>(bytes_ + bytes.size()) > limit_) {
    return TooLarge("The upload is larger than " + Megabytes(limit_) + ", the most accepted here");
  }
  if (head_.size() < kSignatureBytes) {
    head_.append(bytes.substr(0, kSignatureBytes - head_.size()));
    if (head_.size() == kSignatureBytes) {
      if (std::optional<std::string_view> compressed = CompressedFormat(head_)) {
        return InvalidArgument("The upload is " + std::string(*compressed) +
                               "-compressed: compressed files are not expanded; upload the CSV, "
                               "TSV or JSON itself");
      }
    }
  }
  if (fd_ < 0) {
    fd_ = open(spool_dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0 && spool_dir_ != "/tmp") fd_ = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      return Internal(std::string("Could not create a temporary file for the upload: ") +
                      std::strerror(errno));
    }
  }
  while (!bytes.empty()) {
    ssize_t n = pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(bytes_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Internal(std::string("Could not write the upload's temporary file: ") +
                      std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    bytes_ += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

std::string TableNameFromFilename(std::string_view filename) {
  size_t slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  size_t dot = filename.rfind('.');
  if (dot != std::string_view::npos && dot > 0) filename = filename.substr(0, dot);
  std::string name;
  for (char c : filename) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) name += c;
  }
  if (name == "." || name == "..") return "";
  return name;
}

}  // namespace almanac::web
