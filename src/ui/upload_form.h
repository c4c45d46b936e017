// What the upload page (web/upload_page.h) shows: the form, with the values sent and the error
// when an upload failed, or what a finished upload imported.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace almanac::ui {

struct UploadFormState {
  std::string table_name;
  std::string format;  // "" (detect), "csv", "tsv", "json", "ndjson"
  bool append = false;
  std::optional<std::string> error;
};

struct UploadOutcome {
  std::string table;
  std::string format;  // "CSV", "TSV", "JSON", "newline-delimited JSON"
  int64_t rows = 0;
  uint64_t bytes = 0;
  bool created = false;  // a new table (else rows appended to an existing one)
};

}  // namespace almanac::ui
