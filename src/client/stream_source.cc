// RowSource for a stream (a pipe, `tail -f`): records are framed as bytes arrive, parsed one
// batch at a time, and a batch goes out early once the interval's deadline has passed.
#include <algorithm>
#include <cstring>

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "client/record_framer.h"
#include "client/row_parsing.h"
#include "client/row_source.h"
#include "client/text_decoder.h"
#include "ingest/tabular.h"

namespace almanac::client {
namespace {

using format::JsonValue;
using ingest::TabularFormat;
using Clock = RowSource::Clock;

class StreamSource : public RowSource {
 public:
  StreamSource(int fd, TabularFormat f, bool detect_types, std::optional<std::string> encoding)
      : fd_(fd),
        format_(f),
        detect_types_(detect_types),
        decoder_(encoding),
        framer_(f == TabularFormat::kTsv   ? '\t'
                : f == TabularFormat::kCsv ? ','
                                           : 0) {}

  Result<RowBatch> Next(size_t max_rows, Clock::time_point deadline) override {
    ALM_RETURN_IF_ERROR(decoder_.status());
    size_t end = 0;
    for (;;) {
      ALM_RETURN_IF_ERROR(TakeHeader());
      size_t n = HeaderReady() ? framer_.Count(pending_, max_rows, &end, eof_) : 0;
      if (n >= max_rows || eof_) break;
      Clock::time_point now = Clock::now();
      if (n > 0 && now >= deadline) break;
      int timeout = -1;
      if (n > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        timeout = static_cast<int>(std::max<int64_t>(1, left.count()));
      }
      ALM_RETURN_IF_ERROR(Read(timeout));
    }
    if (Delimited() && header_.empty() && eof_) {
      if (pending_.find_first_not_of("\r\n") == std::string::npos && !got_header_)
        return InvalidArgument("No rows found: the first line must name the columns");
    }
    std::string text = pending_.substr(0, end);
    pending_.erase(0, end);
    return Parse(text);
  }

  std::optional<size_t> total_rows() const override { return std::nullopt; }

 private:
  bool Delimited() const { return format_ != TabularFormat::kNdjson; }
  bool HeaderReady() const { return !Delimited() || got_header_; }

  Status TakeHeader() {
    if (!Delimited() || got_header_) return Status::Ok();
    size_t end = 0;
    if (framer_.Count(pending_, 1, &end, eof_) == 0) return Status::Ok();
    header_ = pending_.substr(0, end);
    pending_.erase(0, end);
    ALM_ASSIGN_OR_RETURN(ingest::Tabular head, ingest::ParseTabular(header_, format_, 0));
    columns_ = head.columns;
    got_header_ = true;
    return Status::Ok();
  }

  Status Read(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno != EINTR)
      return InvalidArgument("poll: " + std::string(std::strerror(errno)));
    if (ready <= 0) return Status::Ok();
    char buffer[1 << 16];
    ssize_t n = ::read(fd_, buffer, sizeof(buffer));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return Status::Ok();
    if (n < 0)
      return InvalidArgument("Could not read standard input: " + std::string(std::strerror(errno)));
    if (n == 0) {
      eof_ = true;
      return decoder_.Finish();
    }
    return decoder_.Append(std::string_view(buffer, static_cast<size_t>(n)), pending_);
  }

  Result<RowBatch> Parse(std::string_view text) {
    RowBatch batch;
    if (!Delimited()) {
      ALM_RETURN_IF_ERROR(ParseJsonLines(text, line_, batch.objects));
      line_ += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
      return batch;
    }
    if (text.find_first_not_of("\r\n") == std::string_view::npos) return batch;
    std::vector<bool> force(columns_.size(), !detect_types_);
    if (!first_types_.empty()) {
      for (size_t c = 0; c < force.size(); ++c) force[c] = force[c] || first_types_[c] == "text";
    }
    ALM_ASSIGN_OR_RETURN(ingest::Tabular t, ParseDelimitedRecords(header_, text, format_, force));
    if (first_types_.empty()) {
      first_types_ = t.types;
    } else {
      // Empty cells of number columns are nulls, as in the first batch.
      for (auto& row : t.rows) {
        for (size_t c = 0; c < row.size(); ++c) {
          if (first_types_[c] != "text" && row[c].is_string() && row[c].as_string().empty())
            row[c] = JsonValue();
        }
      }
    }
    batch.columns = t.columns;
    batch.cells = std::move(t.rows);
    return batch;
  }

  int fd_;
  TabularFormat format_;
  bool detect_types_;
  TextDecoder decoder_;
  RecordFramer framer_;
  std::string pending_;
  std::string header_;
  bool got_header_ = false;
  bool eof_ = false;
  std::vector<std::string> columns_;
  std::vector<std::string> first_types_;
  size_t line_ = 1;
};

}  // namespace

std::unique_ptr<RowSource> MakeStreamSource(int fd, TabularFormat f, bool detect_types,
                                            std::optional<std::string> encoding) {
  return std::make_unique<StreamSource>(fd, f, detect_types, std::move(encoding));
}

}  // namespace almanac::client
