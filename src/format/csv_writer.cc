#include "format/csv_writer.h"

#include <array>
#include <charconv>

#include "core/float_repr.h"

namespace almanac::format {
namespace {

constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  return table;
}();

}  // namespace

bool CsvNeedsQuotes(std::string_view field) {
  for (char c : field) {
    if (kSpecial[static_cast<unsigned char>(c)]) return true;
  }
  return false;
}

void CsvWriter::Text(std::string_view field) {
  BeginField();
  bool needs_quotes =
      delimiter_ == ','
          ? CsvNeedsQuotes(field)
          : field.find_first_of(std::string{delimiter_, '"', '\r', '\n'}) != std::string_view::npos;
  if (!needs_quotes) {
    out_->append(field);
    return;
  }
  out_->push_back('"');
  size_t start = 0;
  for (size_t quote = field.find('"'); quote != std::string_view::npos;
       quote = field.find('"', start)) {
    out_->append(field.substr(start, quote + 1 - start));
    out_->push_back('"');
    start = quote + 1;
  }
  out_->append(field.substr(start));
  out_->push_back('"');
}

void CsvWriter::Integer(int64_t value) {
  BeginField();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out_->append(buf, static_cast<size_t>(end - buf));
}

void CsvWriter::Real(double value) {
  BeginField();
  AppendPythonFloat(value, *out_);
}

void CsvWriter::Null() { BeginField(); }

void CsvWriter::EndRow() {
  // Python writes a row consisting of one empty field as "" so that it reads back as a field.
  if (fields_ == 1 && out_->size() == row_start_) out_->append("\"\"");
  out_->append("\r\n");
  row_start_ = out_->size();
  fields_ = 0;
}

}  // namespace almanac::format
