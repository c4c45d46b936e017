// Where records end in CSV/TSV text (quoted fields may hold newlines) or in newline-delimited
// JSON, so a stream can be cut into whole records before they are parsed. Follows the
// quoting rules of ingest::ParseTabular: a quote opens a quoted field only at its start.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace almanac::client {

class RecordFramer {
 public:
  // `separator` ',' or '\t'; 0 for one record per line (NDJSON).
  explicit RecordFramer(char separator) : separator_(separator) {}

  // Counts up to `max_records` complete, non-blank records in `text` (which starts at a
  // record boundary); `*end` is set just past the last one counted (blank lines before it
  // included). At the end of the input (`at_eof`), an unterminated last record counts.
  size_t Count(std::string_view text, size_t max_records, size_t* end, bool at_eof) const;

  // The offset just past the first `n` records, or nullopt when there are fewer.
  std::optional<size_t> Scan(std::string_view text, size_t from, size_t n) const;

 private:
  char separator_;
};

}  // namespace almanac::client
