// RowSource for a whole file. CSV/TSV types are judged over every row in a first pass, one
// chunk of records at a time, and rows are parsed again a batch at a time as they are sent,
// so memory holds the text and one batch, not every parsed row. Newline-delimited JSON is
// parsed a batch of lines at a time; a JSON array is parsed whole.
#include <algorithm>

#include "client/record_framer.h"
#include "client/row_parsing.h"

namespace almanac::client {
namespace {

using format::JsonValue;
using ingest::TabularFormat;
using Clock = RowSource::Clock;

constexpr size_t kTypeChunk = 20000;  // records per ParseTabular call in the first pass

class FileSource : public RowSource {
 public:
  FileSource(std::string text, TabularFormat f, bool detect_types)
      : text_(std::move(text)),
        format_(f),
        detect_types_(detect_types),
        framer_(f == TabularFormat::kTsv   ? '\t'
                : f == TabularFormat::kCsv ? ','
                                           : 0) {}

  Status Load() {
    if (format_ == TabularFormat::kJson) {
      ALM_RETURN_IF_ERROR(ParseJsonDocument(text_, objects_));
      text_.clear();
      total_ = objects_.size();
      return Status::Ok();
    }
    if (format_ == TabularFormat::kNdjson) {
      size_t end = 0;
      total_ = framer_.Count(text_, SIZE_MAX, &end, true);
      return Status::Ok();
    }
    if (text_.find_first_not_of("\r\n") == std::string::npos)
      return InvalidArgument("No rows found: the first line must name the columns");
    pos_ = framer_.Scan(text_, 0, 1).value_or(text_.size());
    header_ = text_.substr(0, pos_);
    ALM_ASSIGN_OR_RETURN(ingest::Tabular head, ingest::ParseTabular(header_, format_, 0));
    ranks_.assign(head.columns.size(), detect_types_ ? TypeRank::kEmpty : TypeRank::kText);
    for (size_t at = pos_; at < text_.size();) {
      size_t end = 0;
      size_t n = framer_.Count(std::string_view(text_).substr(at), kTypeChunk, &end, true);
      if (n == 0) break;
      total_ += n;
      if (detect_types_) {
        ALM_ASSIGN_OR_RETURN(
            ingest::Tabular chunk,
            ParseDelimitedRecords(header_, std::string_view(text_).substr(at, end), format_, {}));
        for (size_t c = 0; c < ranks_.size(); ++c)
          ranks_[c] = std::max(ranks_[c], RankOf(chunk, c));
      }
      at += end;
    }
    for (TypeRank r : ranks_) force_text_.push_back(r == TypeRank::kText || r == TypeRank::kEmpty);
    return Status::Ok();
  }

  Result<RowBatch> Next(size_t max_rows, Clock::time_point) override {
    RowBatch batch;
    if (format_ == TabularFormat::kJson) {
      size_t end = std::min(objects_.size(), next_ + max_rows);
      for (; next_ < end; ++next_) batch.objects.push_back(std::move(objects_[next_]));
      return batch;
    }
    size_t end = 0;
    std::string_view rest = std::string_view(text_).substr(pos_);
    if (framer_.Count(rest, max_rows, &end, true) == 0) return batch;
    std::string_view records = rest.substr(0, end);
    pos_ += end;
    if (format_ == TabularFormat::kNdjson) {
      ALM_RETURN_IF_ERROR(ParseJsonLines(records, line_, batch.objects));
      line_ += static_cast<size_t>(std::count(records.begin(), records.end(), '\n'));
      return batch;
    }
    ALM_ASSIGN_OR_RETURN(ingest::Tabular t,
                         ParseDelimitedRecords(header_, records, format_, force_text_));
    ConformCells(t.rows, ranks_);
    batch.columns = std::move(t.columns);
    batch.cells = std::move(t.rows);
    return batch;
  }

  std::optional<size_t> total_rows() const override { return total_; }

 private:
  std::string text_;
  TabularFormat format_;
  bool detect_types_;
  RecordFramer framer_;
  std::string header_;
  std::vector<TypeRank> ranks_;
  std::vector<bool> force_text_;
  std::vector<JsonValue> objects_;
  size_t pos_ = 0, next_ = 0, total_ = 0, line_ = 1;
};

}  // namespace

Result<std::unique_ptr<RowSource>> MakeFileSource(std::string text, TabularFormat f,
                                                  bool detect_types) {
  auto source = std::make_unique<FileSource>(std::move(text), f, detect_types);
  ALM_RETURN_IF_ERROR(source->Load());
  return std::unique_ptr<RowSource>(std::move(source));
}

}  // namespace almanac::client
