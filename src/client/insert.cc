// insert and upsert: rows from a file or standard input, sent in batches sized to the
// server's max_insert_rows (and max_post_body_bytes), with a progress bar on a terminal.
#include "client/insert.h"

#include <chrono>

#include <unistd.h>

#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;
using Clock = std::chrono::steady_clock;

struct ServerLimits {
  size_t max_insert_rows = 100;
  size_t max_post_body_bytes = 0;  // 0: not advertised
};

// /-/settings.json, when the server lets us read it; Datasette's defaults otherwise.
ServerLimits ReadLimits(Remote& remote) {
  ServerLimits limits;
  Result<HttpResponse> response = remote.Get("/-/settings.json");
  if (!response.ok() || response->status != 200) return limits;
  Result<JsonValue> data = format::ParseJson(response->body);
  if (!data.ok() || !data->is_object()) return limits;
  if (const JsonValue* v = data->Find("max_insert_rows"); v && v->is_int() && v->as_int() > 0)
    limits.max_insert_rows = static_cast<size_t>(v->as_int());
  if (const JsonValue* v = data->Find("max_post_body_bytes"); v && v->is_int() && v->as_int() > 0)
    limits.max_post_body_bytes = static_cast<size_t>(v->as_int());
  return limits;
}

// click's progress bar, on standard error, only when it is a terminal.
class Progress {
 public:
  Progress(std::FILE* err, bool enabled, std::optional<size_t> total)
      : err_(err), enabled_(enabled && ::isatty(::fileno(err))), total_(total) {}

  void Update(int64_t done, bool final = false) {
    if (!enabled_) return;
    Clock::time_point now = Clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    if (total_ && *total_ > 0) {
      constexpr int kWidth = 36;
      double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total_));
      int filled = static_cast<int>(fraction * kWidth);
      std::fprintf(err_, "\rInserting rows  [%s%s]  %3d%%", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, '-').c_str(), static_cast<int>(fraction * 100));
    } else {
      std::fprintf(err_, "\rInserting rows  %lld", static_cast<long long>(done));
    }
    if (final) std::fputc('\n', err_);
    std::fflush(err_);
  }

 private:
  std::FILE* err_;
  bool enabled_;
  std::optional<size_t> total_;
  Clock::time_point last_;
};

}  // namespace

Status RunInsert(const InsertOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  SourceOptions source_options{options.path, options.format, options.encoding,
                               !options.no_detect_types};
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source, OpenRowSource(source_options));
  Remote remote(target);
  ServerLimits limits = ReadLimits(remote);
  size_t batch_size = limits.max_insert_rows;
  if (options.batch_size && *options.batch_size > 0)
    batch_size = std::min(batch_size, static_cast<size_t>(*options.batch_size));
  BatchSender sender(remote, options, io, limits.max_post_body_bytes);
  Progress progress(io.err, !options.silent, source->total_rows());
  auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.interval > 0 ? options.interval : 1e9));
  Clock::time_point deadline = Clock::now() + interval;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(RowBatch batch, source->Next(batch_size, deadline));
    if (batch.empty()) break;
    ALM_RETURN_IF_ERROR(sender.SendAll(batch));
    deadline = Clock::now() + interval;
    progress.Update(sender.written());
  }
  progress.Update(sender.written(), true);
  return Status::Ok();
}

}  // namespace almanac::client
