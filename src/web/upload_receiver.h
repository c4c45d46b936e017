// UploadReceiver: what the upload page keeps of a multipart/form-data body as it streams past
// (an http::MultipartSink). The short fields (table, format, append) are kept as text, each at
// most kMaxFieldBytes; the data — the "file" part, or the "paste" part — goes to an unnamed
// temporary file (O_TMPFILE in `spool_dir`, so the uploaded file's name never names a file on
// disk), at most `limit` bytes (TooLarge beyond). A compressed body (gzip, zip) is refused, not
// expanded; so are data in both a file and the paste box. Other fields are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/multipart.h"

namespace almanac::web {

class UploadReceiver : public http::MultipartSink {
 public:
  static constexpr size_t kMaxFieldBytes = 4096;

  UploadReceiver(std::string spool_dir, int64_t limit);
  ~UploadReceiver() override;
  UploadReceiver(const UploadReceiver&) = delete;
  UploadReceiver& operator=(const UploadReceiver&) = delete;

  Status OnPartBegin(const http::MultipartPart& part) override;
  Status OnPartData(std::string_view bytes) override;
  Status OnPartEnd() override;

  const std::string& table() const { return table_; }
  const std::string& format() const { return format_; }
  bool append() const { return append_; }
  // The uploaded file's name as sent ("" for pasted data). Only ever used to suggest a table
  // name and a format.
  const std::string& filename() const { return filename_; }
  bool pasted() const { return pasted_; }
  uint64_t bytes() const { return bytes_; }
  // Hands over the temporary file holding the data (-1 when there was none); the caller closes
  // it.
  int ReleaseData();

 private:
  enum class Target { kIgnore, kField, kData };

  Status Spool(std::string_view bytes);

  std::string spool_dir_;
  int64_t limit_;
  int fd_ = -1;
  uint64_t bytes_ = 0;
  std::string data_part_;  // the name of the part whose data fd_ holds
  Target target_ = Target::kIgnore;
  std::string field_name_;
  std::string field_;
  bool part_is_file_ = false;
  std::string part_filename_;
  std::string table_, format_, filename_;
  bool append_ = false;
  bool pasted_ = false;
  std::string head_;  // the data's first bytes, to recognise compressed bodies
};

// A table name suggested by an uploaded file's name: its last path component without the
// extension ("../../x/data.csv" -> "data"), control characters removed; "" when nothing is
// left.
std::string TableNameFromFilename(std::string_view filename);

}  // namespace almanac::web
