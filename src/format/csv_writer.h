// CsvWriter: appends CSV to a std::string exactly as Python's csv.writer (excel dialect,
// QUOTE_MINIMAL) writes it: "," between fields, "\r\n" after each row, a field quoted when it
// holds ",", '"', "\r" or "\n" (inner quotes doubled), NULL as an empty field, floats as
// Python's str() prints them, and a row whose only field is empty written as "".
// No allocation per field beyond the growth of the output string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace almanac::format {

class CsvWriter {
 public:
  // `delimiter` "\t" writes Python's excel-tab dialect (a field is quoted for tabs, not commas).
  explicit CsvWriter(std::string& out, char delimiter = ',')
      : out_(&out), row_start_(out.size()), delimiter_(delimiter) {}

  void Text(std::string_view field);
  void Integer(int64_t value);
  void Real(double value);
  void Null();
  // Ends the current row with "\r\n".
  void EndRow();

  // Writes into another buffer from the next row on (a new chunk of a streamed body).
  void Retarget(std::string& out) {
    out_ = &out;
    row_start_ = out.size();
    fields_ = 0;
  }
  std::string& out() { return *out_; }

 private:
  void BeginField() {
    if (fields_++ != 0) out_->push_back(delimiter_);
  }

  std::string* out_;
  size_t row_start_;
  size_t fields_ = 0;
  char delimiter_;
};

// True when Python's csv module would quote `field` (QUOTE_MINIMAL, excel dialect).
bool CsvNeedsQuotes(std::string_view field);

}  // namespace almanac::format
