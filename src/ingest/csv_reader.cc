#include "ingest/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace almanac::ingest {
namespace {

constexpr size_t kChunk = 1 << 20;
constexpr size_t kQuoted = size_t{1} << 63;         // tags a span that points into unquoted_
constexpr std::string_view kDelimiters = ",\t;|:";  // the sniffer's candidates, preferred first

}  // namespace

CsvReader::CsvReader(ByteSource& source, CsvDialect dialect, Options options)
    : source_(source), dialect_(dialect), options_(options), buffer_(kChunk) {}

Status CsvReader::Rewind() {
  ALM_RETURN_IF_ERROR(source_.Rewind());
  pos_ = end_ = 0;
  eof_ = started_ = false;
  line_ = 1;
  record_line_ = 0;
  fields_.clear();
  return Status::Ok();
}

Status CsvReader::Fill() {
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a record longer than it
  ALM_ASSIGN_OR_RETURN(size_t n, source_.Read(buffer_.data() + end_, buffer_.size() - end_));
  if (n == 0) eof_ = true;
  end_ += n;
  return Status::Ok();
}

Status CsvReader::CheckUtf8(std::string_view bytes, uint64_t line) const {
  if (!options_.validate_utf8 || IsValidUtf8(bytes)) return Status::Ok();
  return InvalidArgument("Line " + std::to_string(line) +
                         ": the input is not valid UTF-8 (use --encoding, e.g. "
                         "--encoding latin-1, to name its character set)");
}

Result<bool> CsvReader::Next() {
  if (!started_) {
    while (end_ < 3 && !eof_) ALM_RETURN_IF_ERROR(Fill());
    if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    started_ = true;
  }
  while (true) {
    Scan scan = ScanRecord(eof_);
    if (scan == Scan::kRecord) return true;
    if (scan == Scan::kEnd) return false;
    if (scan == Scan::kError) return error_;
    ALM_RETURN_IF_ERROR(Fill());
  }
}

// Scans a quoted field starting at b[p] (the quote), appending its text to unquoted_ and a span
// for it; kRecord when the field is complete, p then after it.
CsvReader::Scan CsvReader::ScanQuoted(size_t& p, uint64_t& line, uint64_t first_line, bool at_eof) {
  const char* b = buffer_.data();
  const char delim = dialect_.delimiter, quote = dialect_.quote;
  size_t off = unquoted_.size();
  ++p;
  bool closed = false;
  while (p < end_ && !closed) {
    size_t r = p;
    while (r < end_ && b[r] != quote && b[r] != '\r' && b[r] != '\n') ++r;
    unquoted_.append(b + p, r - p);
    p = r;
    if (p == end_) break;
    if (b[p] == quote) {
      if (p + 1 == end_ && !at_eof) return Scan::kNeedMore;
      bool doubled = p + 1 < end_ && b[p + 1] == quote;
      if (doubled) unquoted_ += quote;
      p += doubled ? 2 : 1;
      closed = !doubled;
      continue;
    }
    if (b[p] == '\r' && p + 1 == end_ && !at_eof) return Scan::kNeedMore;
    p += b[p] == '\r' && p + 1 < end_ && b[p + 1] == '\n' ? 2 : 1;
    unquoted_ += '\n';
    ++line;
  }
  if (!closed) {
    if (!at_eof) return Scan::kNeedMore;
    error_ =
        InvalidArgument("Line " + std::to_string(first_line) + ": a quoted field is never closed");
    return Scan::kError;
  }
  // Text after the closing quote joins the field, as in Python's csv.
  size_t r = p;
  while (r < end_ && b[r] != delim && b[r] != '\r' && b[r] != '\n') ++r;
  unquoted_.append(b + p, r - p);
  p = r;
  spans_.emplace_back(off | kQuoted, unquoted_.size() - off);
  return Scan::kRecord;
}

// Scans one record starting at pos_. On kRecord, pos_/line_ move past it and fields_ holds it;
// kEnd when only blank lines were left.
CsvReader::Scan CsvReader::ScanRecord(bool at_eof) {
  const char* b = buffer_.data();
  const char delim = dialect_.delimiter, quote = dialect_.quote;
  size_t p = pos_;
  uint64_t line = line_;
  // Blank lines between records are skipped.
  while (p < end_ && (b[p] == '\n' || b[p] == '\r')) {
    if (b[p] == '\r' && p + 1 == end_ && !at_eof) return Scan::kNeedMore;
    p += b[p] == '\r' && p + 1 < end_ && b[p + 1] == '\n' ? 2 : 1;
    ++line;
  }
  if (p == end_) {
    if (!at_eof) return Scan::kNeedMore;
    pos_ = p;
    line_ = line;
    fields_.clear();
    return Scan::kEnd;
  }
  const size_t start = p;
  const uint64_t first_line = line;
  spans_.clear();
  unquoted_.clear();
  while (true) {
    if (p == end_) {  // after a delimiter
      if (!at_eof) return Scan::kNeedMore;
      spans_.emplace_back(p, 0);
      break;
    }
    if (b[p] == quote) {
      Scan quoted = ScanQuoted(p, line, first_line, at_eof);
      if (quoted != Scan::kRecord) return quoted;
    } else {
      size_t s = p;
      while (p < end_ && b[p] != delim && b[p] != '\n' && b[p] != '\r') ++p;
      spans_.emplace_back(s, p - s);
    }
    if (p == end_) {
      if (!at_eof) return Scan::kNeedMore;
      break;
    }
    if (b[p] == delim) {
      ++p;
      continue;
    }
    if (b[p] == '\r' && p + 1 == end_ && !at_eof) return Scan::kNeedMore;
    p += b[p] == '\r' && p + 1 < end_ && b[p + 1] == '\n' ? 2 : 1;
    ++line;
    break;
  }
  Status utf8 = CheckUtf8(std::string_view(b + start, p - start), first_line);
  if (!utf8.ok()) {
    error_ = utf8;
    return Scan::kError;
  }
  pos_ = p;
  line_ = line;
  record_line_ = first_line;
  fields_.clear();
  for (const auto& [offset, length] : spans_) {
    fields_.emplace_back(offset & kQuoted ? unquoted_.data() + (offset & ~kQuoted) : b + offset,
                         length);
  }
  return Scan::kRecord;
}

std::optional<CsvDialect> SniffDialect(std::string_view sample) {
  // Whole lines only, unless the sample is all there is.
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < sample.size()) {
    size_t end = sample.find('\n', start);
    if (end == std::string_view::npos) break;
    std::string_view line = sample.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
    if (lines.size() >= 50) break;
  }
  if (lines.empty() && !sample.empty()) lines.push_back(sample);
  if (lines.empty()) return std::nullopt;
  // Quote character: the one seen opening or closing fields more often.
  auto quote_score = [&](char q) {
    int score = 0;
    for (std::string_view line : lines) {
      for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] != q) continue;
        bool opens = i == 0 || kDelimiters.find(line[i - 1]) != std::string_view::npos;
        bool closes =
            i + 1 == line.size() || kDelimiters.find(line[i + 1]) != std::string_view::npos;
        score += opens || closes;
      }
    }
    return score;
  };
  char quote = quote_score('\'') > quote_score('"') ? '\'' : '"';
  std::optional<CsvDialect> best;
  double best_score = 0;
  for (char delim : kDelimiters) {
    std::map<int, int> counts;  // fields per line -> lines
    for (std::string_view line : lines) {
      int n = 0;
      bool quoted = false;
      for (char c : line) {
        if (c == quote) quoted = !quoted;
        if (c == delim && !quoted) ++n;
      }
      ++counts[n];
    }
    auto mode = std::max_element(counts.begin(), counts.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    if (mode->first == 0) continue;
    double score = static_cast<double>(mode->second) / static_cast<double>(lines.size());
    if (score > best_score) {
      best_score = score;
      best = CsvDialect{delim, quote};
    }
  }
  return best;
}

}  // namespace almanac::ingest
