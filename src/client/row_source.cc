#include "client/row_source.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/record_framer.h"
#include "client/row_parsing.h"
#include "client/text_decoder.h"
#include "format/json_writer.h"
#include "ingest/tabular.h"

namespace almanac::client {
namespace {

using format::JsonValue;
using ingest::TabularFormat;
using Clock = RowSource::Clock;

std::optional<TabularFormat> FormatFlag(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  if (*name == "nl") return TabularFormat::kNdjson;
  return ingest::FormatByName(*name);
}

bool Delimited(TabularFormat f) { return f == TabularFormat::kCsv || f == TabularFormat::kTsv; }

Status ParseLinesImpl(std::string_view text, size_t first_line, std::vector<JsonValue>& out) {
  size_t line_no = first_line;
  for (size_t start = 0; start < text.size(); ++line_no) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Result<JsonValue> v = format::ParseJson(line);
    if (!v.ok())
      return InvalidArgument("Line " + std::to_string(line_no) + ": " + v.status().message());
    if (!v->is_object())
      return InvalidArgument("Line " + std::to_string(line_no) + " is not a JSON object");
    out.push_back(std::move(v).value());
  }
  return Status::Ok();
}

Status ParseDocumentImpl(std::string_view text, std::vector<JsonValue>& out) {
  ALM_ASSIGN_OR_RETURN(JsonValue doc, format::ParseJson(text));
  if (doc.is_object()) {
    out.push_back(std::move(doc));
    return Status::Ok();
  }
  if (!doc.is_array()) return InvalidArgument("Expected a JSON array of objects");
  for (size_t i = 0; i < doc.as_array().size(); ++i) {
    if (!doc.as_array()[i].is_object())
      return InvalidArgument("Row " + std::to_string(i + 1) + " is not a JSON object");
    out.push_back(std::move(doc.as_array()[i]));
  }
  return Status::Ok();
}

Result<ingest::Tabular> ParseDelimitedImpl(std::string_view header, std::string_view records,
                                           TabularFormat f, const std::vector<bool>& force_text) {
  std::string text(header);
  if (!text.ends_with('\n')) text += '\n';
  bool sentinel = false;
  for (bool forced : force_text) sentinel = sentinel || forced;
  if (sentinel) {
    for (size_t c = 0; c < force_text.size(); ++c) {
      if (c > 0) text += f == TabularFormat::kTsv ? '\t' : ',';
      if (force_text[c]) text += 'x';
    }
    text += '\n';
  }
  text.append(records);
  ALM_ASSIGN_OR_RETURN(ingest::Tabular t, ingest::ParseTabular(text, f, SIZE_MAX));
  if (sentinel && !t.rows.empty()) t.rows.erase(t.rows.begin());
  return t;
}

// A file or a redirected standard input: parsed whole.
class WholeSource : public RowSource {
 public:
  Status Load(std::string text, TabularFormat f, bool detect_types) {
    if (!Delimited(f)) {
      Status s = f == TabularFormat::kNdjson ? ParseLinesImpl(text, 1, objects_)
                                             : ParseDocumentImpl(text, objects_);
      total_ = objects_.size();
      return s;
    }
    RecordFramer framer(f == TabularFormat::kTsv ? '\t' : ',');
    size_t header_end = framer.Scan(text, 0, 1).value_or(text.size());
    if (header_end == 0 || text.find_first_not_of("\r\n") == std::string::npos)
      return InvalidArgument("No rows found: the first line must name the columns");
    std::string_view header = std::string_view(text).substr(0, header_end);
    ALM_ASSIGN_OR_RETURN(ingest::Tabular head, ingest::ParseTabular(header, f, 0));
    std::vector<bool> force(head.columns.size(), !detect_types);
    ALM_ASSIGN_OR_RETURN(
        tabular_, ParseDelimitedImpl(header, std::string_view(text).substr(header_end), f, force));
    total_ = tabular_.rows.size();
    return Status::Ok();
  }

  Result<RowBatch> Next(size_t max_rows, Clock::time_point) override {
    RowBatch batch;
    size_t end = std::min(total_, next_ + max_rows);
    if (!objects_.empty()) {
      for (size_t i = next_; i < end; ++i) batch.objects.push_back(std::move(objects_[i]));
    } else {
      batch.columns = tabular_.columns;
      for (size_t i = next_; i < end; ++i) batch.cells.push_back(std::move(tabular_.rows[i]));
    }
    next_ = end;
    return batch;
  }

  std::optional<size_t> total_rows() const override { return total_; }

 private:
  ingest::Tabular tabular_;
  std::vector<JsonValue> objects_;
  size_t total_ = 0, next_ = 0;
};

}  // namespace

Result<ingest::Tabular> ParseDelimitedRecords(std::string_view header, std::string_view records,
                                              TabularFormat f,
                                              const std::vector<bool>& force_text) {
  return ParseDelimitedImpl(header, records, f, force_text);
}

Status ParseJsonLines(std::string_view text, size_t first_line, std::vector<JsonValue>& out) {
  return ParseLinesImpl(text, first_line, out);
}

Status ParseJsonDocument(std::string_view text, std::vector<JsonValue>& out) {
  return ParseDocumentImpl(text, out);
}

void RowBatch::AppendRowJson(size_t i, std::string& out) const {
  format::JsonWriter writer(out, {.compact = true});
  if (!objects.empty()) {
    WriteJson(objects[i], writer);
    return;
  }
  writer.BeginObject();
  for (size_t c = 0; c < columns.size(); ++c) {
    writer.Key(columns[c]);
    WriteJson(cells[i][c], writer);
  }
  writer.EndObject();
}

const JsonValue* RowBatch::Value(size_t i, const std::string& column) const {
  if (!objects.empty()) return objects[i].Find(column);
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == column) return &cells[i][c];
  }
  return nullptr;
}

Result<std::string> DecodeText(std::string text, const std::optional<std::string>& encoding) {
  TextDecoder decoder(encoding);
  std::string out;
  ALM_RETURN_IF_ERROR(decoder.Append(text, out));
  ALM_RETURN_IF_ERROR(decoder.Finish());
  return out;
}

Result<std::unique_ptr<RowSource>> OpenRowSource(const SourceOptions& options) {
  std::optional<TabularFormat> format = FormatFlag(options.format);
  bool from_stdin = options.path == "-";
  if (!format && from_stdin) {
    return InvalidArgument(
        "An explicit format is required  - e.g. --csv - when reading from standard input");
  }
  struct stat st {};
  bool whole = !from_stdin || (::fstat(0, &st) == 0 && S_ISREG(st.st_mode));
  if (from_stdin && !whole) {
    if (*format == TabularFormat::kJson) whole = true;  // one document: read it all first
  }
  if (!whole) return MakeStreamSource(0, *format, options.detect_types, options.encoding);
  std::string raw;
  if (from_stdin) {
    char buffer[1 << 16];
    for (ssize_t n; (n = ::read(0, buffer, sizeof(buffer))) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return InvalidArgument(std::string("Could not read standard input: ") +
                               std::strerror(errno));
      raw.append(buffer, static_cast<size_t>(n));
    }
  } else {
    std::ifstream in(options.path, std::ios::binary);
    if (!in) return InvalidArgument("Could not open " + options.path + ": " + std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    raw = std::move(ss).str();
  }
  ALM_ASSIGN_OR_RETURN(std::string text, DecodeText(std::move(raw), options.encoding));
  TabularFormat f = format.value_or(ingest::DetectFormat(text));
  auto source = std::make_unique<WholeSource>();
  ALM_RETURN_IF_ERROR(source->Load(std::move(text), f, options.detect_types));
  return std::unique_ptr<RowSource>(std::move(source));
}

}  // namespace almanac::client
