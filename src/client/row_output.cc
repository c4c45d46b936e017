#include "client/row_output.h"

#include <algorithm>

#include "client/python_text.h"

namespace almanac::client {
namespace {

using format::JsonValue;

std::vector<std::string> Keys(const JsonValue& row) {
  std::vector<std::string> keys;
  if (!row.is_object()) return keys;
  for (const auto& [key, value] : row.as_object()) keys.push_back(key);
  return keys;
}

// str(row.get(column, "")).
std::string Cell(const JsonValue& row, const std::string& column) {
  const JsonValue* v = row.is_object() ? row.Find(column) : nullptr;
  return v ? PyStr(*v) : "";
}

std::string PadRight(const std::string& s, size_t width) {
  size_t length = CodePoints(s);
  return length >= width ? s : s + std::string(width - length, ' ');
}

}  // namespace

void AppendDelimitedLine(const std::vector<std::string>& fields, char delimiter, std::string& out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += delimiter;
    const std::string& f = fields[i];
    bool quote = fields.size() == 1 && f.empty();
    for (char c : f) quote = quote || c == delimiter || c == '"' || c == '\r' || c == '\n';
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

void RowPrinter::EnsureColumns(const JsonValue& row) {
  if (!columns_) columns_ = Keys(row);
}

void RowPrinter::Add(const JsonValue& row) {
  switch (format_) {
    case OutputFormat::kJson:
      buffer_ += rows_ == 0 ? "[\n  " : ",\n  ";
      AppendPyJson(row, 2, buffer_, 1);
      break;
    case OutputFormat::kNl:
      AppendPyJson(row, -1, buffer_);
      buffer_ += '\n';
      break;
    case OutputFormat::kCsv:
    case OutputFormat::kTsv:
      AddDelimited(row);
      break;
    case OutputFormat::kTable: {
      EnsureColumns(row);
      std::vector<std::string> cells;
      for (const std::string& column : *columns_) cells.push_back(Cell(row, column));
      table_.push_back(std::move(cells));
      break;
    }
  }
  ++rows_;
  Flush(false);
}

void RowPrinter::AddDelimited(const JsonValue& row) {
  char delimiter = format_ == OutputFormat::kTsv ? '\t' : ',';
  if (rows_ == 0) {
    EnsureColumns(row);
    AppendDelimitedLine(*columns_, delimiter, buffer_);
  }
  std::vector<std::string> cells;
  for (const std::string& column : *columns_) cells.push_back(Cell(row, column));
  AppendDelimitedLine(cells, delimiter, buffer_);
}

void RowPrinter::Finish() {
  switch (format_) {
    case OutputFormat::kJson:
      buffer_ += rows_ == 0 ? "[]\n" : "\n]\n";
      break;
    case OutputFormat::kNl:
      break;
    case OutputFormat::kCsv:
    case OutputFormat::kTsv:
      // dclient prints the header alone when a query has columns but no rows.
      if (rows_ == 0 && columns_ && !columns_->empty()) {
        AppendDelimitedLine(*columns_, format_ == OutputFormat::kTsv ? '\t' : ',', buffer_);
      }
      break;
    case OutputFormat::kTable: {
      if (!columns_ || columns_->empty()) break;
      std::vector<size_t> widths;
      for (const std::string& column : *columns_) widths.push_back(CodePoints(column));
      for (const auto& cells : table_) {
        for (size_t i = 0; i < cells.size(); ++i)
          widths[i] = std::max(widths[i], CodePoints(cells[i]));
      }
      auto line = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size(); ++i) {
          if (i > 0) buffer_ += "  ";
          buffer_ += PadRight(cells[i], widths[i]);
        }
        buffer_ += '\n';
      };
      line(*columns_);
      std::vector<std::string> rules;
      for (size_t w : widths) rules.emplace_back(w, '-');
      line(rules);
      for (const auto& cells : table_) line(cells);
      break;
    }
  }
  Flush(true);
}

void RowPrinter::Flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < (1 << 16))) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  buffer_.clear();
  if (force) std::fflush(out_);
}

}  // namespace almanac::client
