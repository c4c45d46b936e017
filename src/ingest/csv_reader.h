// CsvReader: a streaming CSV/TSV record reader with Python's csv module rules (the "excel"
// dialect sqlite-utils uses): quoted fields may hold delimiters, newlines and doubled quotes; a
// quote inside an unquoted field is literal; text after a closing quote joins the field. Line
// endings inside quoted fields read as "\n" (Python's universal newlines, as sqlite-utils reads
// files). A UTF-8 byte-order mark at the start is skipped.
//
// Deliberately stricter than Python: an unclosed quote at the end of the input and bytes that
// are not UTF-8 are errors naming the line, and blank lines are skipped rather than read as
// empty records. Memory holds one read chunk plus the longest record, whatever the input size.
//
//   auto source = ingest::StringViewSource(text);            // or ingest::OpenFile(path)
//   ingest::CsvReader reader(*source, {});
//   while (true) {
//     ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
//     if (!more) break;
//     use(reader.fields(), reader.line());                    // views valid until Next()
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/byte_source.h"

namespace almanac::ingest {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';

  static CsvDialect Tsv() { return {'\t', '"'}; }
};

// Guesses the delimiter (one of , \t ; | :) and quote character (" or ') from the first lines
// of a file, as Python's csv.Sniffer does for ordinary files: the delimiter that splits the
// sample's lines into the same number of fields most consistently. nullopt when nothing fits.
std::optional<CsvDialect> SniffDialect(std::string_view sample);

class CsvReader {
 public:
  struct Options {
    bool validate_utf8 = true;  // off for bytes already transcoded to UTF-8
  };

  CsvReader(ByteSource& source, CsvDialect dialect, Options options);
  CsvReader(ByteSource& source, CsvDialect dialect) : CsvReader(source, dialect, Options()) {}

  // Reads the next record: true when one is available, false at the end of the input.
  // InvalidArgument naming the line for an unclosed quote or invalid UTF-8.
  Result<bool> Next();
  // The current record's fields, valid until the next call to Next or Rewind.
  const std::vector<std::string_view>& fields() const { return fields_; }
  // The 1-based line on which the current record starts.
  uint64_t line() const { return record_line_; }
  // Bytes of the source consumed so far (for progress).
  uint64_t position() const { return source_.position(); }
  std::optional<uint64_t> size() const { return source_.size(); }
  // Starts again at the first record (a second pass over the same input).
  Status Rewind();

 private:
  enum class Scan { kRecord, kEnd, kNeedMore, kError };
  Scan ScanRecord(bool at_eof);
  Scan ScanQuoted(size_t& p, uint64_t& line, uint64_t first_line, bool at_eof);
  Status Fill();
  Status CheckUtf8(std::string_view bytes, uint64_t line) const;

  ByteSource& source_;
  CsvDialect dialect_;
  Options options_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false, started_ = false;
  std::string unquoted_;                          // quoted fields' contents, unescaped
  std::vector<std::pair<size_t, size_t>> spans_;  // field (offset, length); offsets tagged
  std::vector<std::string_view> fields_;
  uint64_t line_ = 1, record_line_ = 0;
  Status error_;
};

}  // namespace almanac::ingest
