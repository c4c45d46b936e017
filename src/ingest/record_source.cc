#include "ingest/record_source.h"

#include <unordered_set>

#include "core/text.h"
#include "ingest/csv_reader.h"
#include "ingest/json_records.h"

namespace almanac::ingest {
namespace {

constexpr size_t kPeekBytes = 1 << 16;

class CsvRecords : public RecordSource {
 public:
  CsvRecords(std::unique_ptr<ByteSource> bytes, CsvDialect dialect, const InputOptions& options,
             InputFormat format)
      : bytes_(std::move(bytes)),
        reader_(*bytes_, dialect, CsvReader::Options{options.encoding.empty()}),
        no_headers_(options.no_headers),
        empty_null_(options.empty_null) {
    format_ = format;
  }

  // Reads the header (or, with no_headers, looks at the first row to count its columns).
  Status Start() {
    ALM_ASSIGN_OR_RETURN(bool any, reader_.Next());
    if (!any) return Status::Ok();
    std::vector<std::string> names;
    for (size_t i = 0; i < reader_.fields().size(); ++i) {
      names.push_back(no_headers_ ? "untitled_" + std::to_string(i + 1)
                                  : std::string(reader_.fields()[i]));
    }
    columns_ = DedupeNames(names);
    pending_ = no_headers_;
    return Status::Ok();
  }

  Result<bool> Next(Record& record) override {
    if (columns_.empty()) return false;
    if (!pending_) {
      ALM_ASSIGN_OR_RETURN(bool more, reader_.Next());
      if (!more) return false;
    }
    pending_ = false;
    const auto& fields = reader_.fields();
    if (fields.size() > columns_.size()) {
      return InvalidArgument("Line " + std::to_string(reader_.line()) + ": " +
                             std::to_string(fields.size()) + " values, but the header names " +
                             std::to_string(columns_.size()) + " columns");
    }
    record.line = reader_.line();
    record.columns.resize(fields.size());
    record.cells.resize(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      record.columns[i] = static_cast<uint32_t>(i);
      record.cells[i] = empty_null_ && fields[i].empty() ? Cell::Null() : Cell::Text(fields[i]);
    }
    return true;
  }

  Status Rewind() override {
    ALM_RETURN_IF_ERROR(reader_.Rewind());
    columns_.clear();
    return Start();
  }
  uint64_t position() const override { return reader_.position(); }
  std::optional<uint64_t> size() const override { return reader_.size(); }

 private:
  std::unique_ptr<ByteSource> bytes_;
  CsvReader reader_;
  bool no_headers_, empty_null_;
  bool pending_ = false;  // the first row, read by Start, is data
};

// --lines: one record per line, {"line": the line without surrounding whitespace}.
// --text: one record, {"text": everything}.
class LineRecords : public RecordSource {
 public:
  LineRecords(std::unique_ptr<ByteSource> bytes, InputFormat format) : bytes_(std::move(bytes)) {
    format_ = format;
    columns_ = {format == InputFormat::kLines ? "line" : "text"};
  }

  Result<bool> Next(Record& record) override {
    if (format_ == InputFormat::kText) {
      if (done_) return false;
      done_ = true;
      ALM_RETURN_IF_ERROR(ReadAll());
      return Emit(record, buffer_, 1);
    }
    while (true) {
      size_t newline = buffer_.find('\n', pos_);
      if (newline != std::string::npos || eof_) {
        if (pos_ == buffer_.size() && eof_) return false;
        size_t end = newline == std::string::npos ? buffer_.size() : newline;
        std::string_view line(buffer_.data() + pos_, end - pos_);
        pos_ = end + (newline == std::string::npos ? 0 : 1);
        return Emit(record, Strip(line), ++line_);
      }
      buffer_.erase(0, pos_);
      pos_ = 0;
      ALM_RETURN_IF_ERROR(ReadMore());
    }
  }

  Status Rewind() override {
    ALM_RETURN_IF_ERROR(bytes_->Rewind());
    buffer_.clear();
    pos_ = line_ = 0;
    eof_ = done_ = false;
    return Status::Ok();
  }
  uint64_t position() const override { return bytes_->position(); }
  std::optional<uint64_t> size() const override { return bytes_->size(); }

 private:
  static std::string_view Strip(std::string_view s) {
    auto space = [](char c) {
      return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
    };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
  }

  Result<bool> Emit(Record& record, std::string_view text, uint64_t line) {
    if (!IsValidUtf8(text)) {
      return InvalidArgument("Line " + std::to_string(line) +
                             ": the input is not valid UTF-8 (use --encoding to name its "
                             "character set)");
    }
    record.line = line;
    record.columns = {0};
    record.cells = {Cell::Text(text)};
    return true;
  }

  Status ReadMore() {
    size_t old = buffer_.size();
    buffer_.resize(old + kPeekBytes);
    ALM_ASSIGN_OR_RETURN(size_t n, bytes_->Read(buffer_.data() + old, kPeekBytes));
    buffer_.resize(old + n);
    if (n == 0) eof_ = true;
    return Status::Ok();
  }

  Status ReadAll() {
    while (!eof_) ALM_RETURN_IF_ERROR(ReadMore());
    if (buffer_.starts_with("\xEF\xBB\xBF")) buffer_.erase(0, 3);
    return Status::Ok();
  }

  std::unique_ptr<ByteSource> bytes_;
  std::string buffer_;
  size_t pos_ = 0;
  uint64_t line_ = 0;
  bool eof_ = false, done_ = false;
};

// Reads the first bytes (then rewinds) to choose a format and, for CSV, a dialect.
Result<std::string> Peek(ByteSource& bytes) {
  std::string sample(kPeekBytes, '\0');
  size_t got = 0;
  while (got < sample.size()) {
    ALM_ASSIGN_OR_RETURN(size_t n, bytes.Read(sample.data() + got, sample.size() - got));
    if (n == 0) break;
    got += n;
  }
  sample.resize(got);
  ALM_RETURN_IF_ERROR(bytes.Rewind());
  if (sample.starts_with("\xEF\xBB\xBF")) sample.erase(0, 3);
  return sample;
}

}  // namespace

std::optional<InputFormat> FormatFromExtension(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || name.find('/', dot) != std::string::npos) return std::nullopt;
  std::string ext = AsciiLower(std::string_view(name).substr(dot + 1));
  if (ext == "csv") return InputFormat::kCsv;
  if (ext == "tsv" || ext == "tab") return InputFormat::kTsv;
  if (ext == "json") return InputFormat::kJson;
  if (ext == "jsonl" || ext == "ndjson" || ext == "nl") return InputFormat::kNdjson;
  return std::nullopt;
}

std::vector<std::string> DedupeNames(const std::vector<std::string>& names) {
  std::unordered_set<std::string> taken;
  for (const std::string& name : names) taken.insert(AsciiLower(name));
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::string chosen = name;
    if (seen.count(AsciiLower(chosen))) {
      for (int suffix = 2;; ++suffix) {
        chosen = name + "_" + std::to_string(suffix);
        if (!seen.count(AsciiLower(chosen)) && !taken.count(AsciiLower(chosen))) break;
      }
    }
    seen.insert(AsciiLower(chosen));
    out.push_back(chosen);
  }
  return out;
}

Result<std::unique_ptr<RecordSource>> OpenRecords(std::unique_ptr<ByteSource> bytes,
                                                  const std::string& name,
                                                  const InputOptions& options) {
  if (!options.encoding.empty() && !IsUtf8Name(options.encoding)) {
    ALM_ASSIGN_OR_RETURN(bytes, Transcode(std::move(bytes), options.encoding));
  }
  std::optional<InputFormat> format = options.format;
  if (!format) format = FormatFromExtension(name);
  std::optional<CsvDialect> sniffed;
  bool tabular = !format || *format == InputFormat::kCsv || *format == InputFormat::kTsv;
  if (!format || (options.sniff && tabular)) {
    ALM_ASSIGN_OR_RETURN(std::string sample, Peek(*bytes));
    size_t first = sample.find_first_not_of(" \t\r\n");
    if (!format && first != std::string::npos && (sample[first] == '[' || sample[first] == '{')) {
      format = InputFormat::kJson;
    } else {
      sniffed = SniffDialect(sample);
      if (!format)
        format = sniffed && sniffed->delimiter == '\t' ? InputFormat::kTsv : InputFormat::kCsv;
    }
  }
  switch (*format) {
    case InputFormat::kJson:
    case InputFormat::kNdjson:
      return MakeJsonRecords(
          std::move(bytes),
          *format == InputFormat::kJson ? JsonReader::Layout::kAuto : JsonReader::Layout::kLines,
          options.flatten, *format);
    case InputFormat::kLines:
    case InputFormat::kText:
      return std::unique_ptr<RecordSource>(new LineRecords(std::move(bytes), *format));
    case InputFormat::kCsv:
    case InputFormat::kTsv:
      break;
  }
  CsvDialect dialect = *format == InputFormat::kTsv ? CsvDialect::Tsv() : CsvDialect{};
  if (sniffed && (options.sniff || !options.format)) dialect = *sniffed;
  if (options.delimiter) dialect.delimiter = *options.delimiter;
  if (options.quote) dialect.quote = *options.quote;
  auto records = std::make_unique<CsvRecords>(std::move(bytes), dialect, options, *format);
  ALM_RETURN_IF_ERROR(records->Start());
  return std::unique_ptr<RecordSource>(std::move(records));
}

}  // namespace almanac::ingest
