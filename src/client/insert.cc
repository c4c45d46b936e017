// insert and upsert: rows from a file or standard input, sent in batches sized to the
// server's max_insert_rows (and max_post_body_bytes), with a progress bar on a terminal.
#include "client/insert.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

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

// Prepared requests from the reading thread to the sending one; at most a few ahead.
class Pipe {
 public:
  struct Item {
    Status status;
    std::vector<PreparedRows> rows;  // empty with an OK status: the end
  };
  // False once the receiver has gone.
  bool Push(Item item) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return closed_ || items_.size() < 4; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    ready_.notify_one();
    return true;
  }
  Item Pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !items_.empty(); });
    Item item = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return item;
  }
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    space_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<Item> items_;
  bool closed_ = false;
};

// Reads and encodes batches until the end of the input, an error, or a closed pipe. Owns
// what it uses, so that a sender that fails can leave it blocked on a silent pipe.
void Produce(std::shared_ptr<RowSource> source, std::shared_ptr<Pipe> pipe, size_t batch_size,
             size_t max_body_bytes, Clock::duration interval) {
  Clock::time_point deadline = Clock::now() + interval;
  for (;;) {
    Result<RowBatch> batch = source->Next(batch_size, deadline);
    if (!batch.ok()) {
      pipe->Push({batch.status(), {}});
      return;
    }
    if (batch->empty()) {
      pipe->Push({Status::Ok(), {}});
      return;
    }
    if (!pipe->Push({Status::Ok(), PrepareRows(std::move(batch).value(), max_body_bytes)})) return;
    deadline = Clock::now() + interval;
  }
}

// The second connection of a two-lane insert: sends the requests handed to it, one at a
// time, on a thread of its own. Submit waits while one is still waiting to go out.
class SecondLane {
 public:
  SecondLane(const Target& target, const InsertOptions& options, Io io,
             std::atomic<int64_t>& written)
      : remote_(target), sender_(remote_, options, io, written, false) {
    sender_.AssumeCreated();
    thread_ = std::thread([this] { Run(); });
  }
  ~SecondLane() { [[maybe_unused]] Status ignored = Finish(); }
  SecondLane(const SecondLane&) = delete;
  SecondLane& operator=(const SecondLane&) = delete;

  // The lane's first error, if it has failed (then `rows` is not sent).
  Status Submit(PreparedRows rows) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !waiting_ || !status_.ok(); });
    if (!status_.ok()) return status_;
    waiting_ = std::move(rows);
    changed_.notify_all();
    return Status::Ok();
  }

  // Sends what is waiting, then stops; the lane's first error.
  Status Finish() {
    {
      std::lock_guard lock(mutex_);
      finishing_ = true;
      changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  void Run() {
    for (;;) {
      PreparedRows rows;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return waiting_.has_value() || finishing_; });
        if (!waiting_) return;
        rows = std::move(*waiting_);
      }
      Status sent = sender_.Send(rows);
      std::lock_guard lock(mutex_);
      waiting_.reset();
      if (!sent.ok()) status_ = sent;
      changed_.notify_all();
      if (!status_.ok()) return;
    }
  }

  Remote remote_;
  BatchSender sender_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<PreparedRows> waiting_;  // taken off only once sent
  bool finishing_ = false;
  Status status_;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace

Status RunInsert(const InsertOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  SourceOptions source_options{options.path, options.format, options.encoding,
                               !options.no_detect_types};
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> opened, OpenRowSource(source_options));
  std::shared_ptr<RowSource> source = std::move(opened);
  Remote remote(target);
  ServerLimits limits = ReadLimits(remote);
  size_t batch_size = limits.max_insert_rows;
  if (options.batch_size && *options.batch_size > 0)
    batch_size = std::min(batch_size, static_cast<size_t>(*options.batch_size));
  // Rows that carry their primary key may arrive in any order: they go out on two
  // connections, so that the server commits two requests with one sync to disk (its write
  // queue groups the requests waiting for it; bench/client_bench.py). Other rows keep their
  // order (a rowid table numbers them as they arrive); -v keeps one readable sequence.
  bool two_lanes = !options.pks.empty() && !options.verbose;
  std::atomic<int64_t> written{0};
  BatchSender sender(remote, options, io, written, !two_lanes);
  std::optional<SecondLane> second;
  Progress progress(io.err, !options.silent, source->total_rows());
  auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.interval > 0 ? options.interval : 1e9));
  auto pipe = std::make_shared<Pipe>();
  std::thread producer(Produce, source, pipe, batch_size, limits.max_post_body_bytes, interval);
  Status status;
  int64_t number = 0, next_row = 1;
  for (;;) {
    Pipe::Item item = pipe->Pop();
    status = item.status;
    for (PreparedRows& rows : item.rows) {
      if (!status.ok()) break;
      rows.number = ++number;
      rows.first_row = next_row;
      next_row += static_cast<int64_t>(rows.end - rows.begin);
      if (two_lanes && !second && sender.created()) second.emplace(target, options, io, written);
      if (second && rows.number % 2 == 0) {
        status = second->Submit(std::move(rows));
      } else {
        status = sender.Send(rows);
      }
    }
    if (!status.ok() || item.rows.empty()) break;
    progress.Update(written.load());
  }
  if (second) {
    Status last = second->Finish();
    if (status.ok()) status = last;
  }
  pipe->Close();
  if (status.ok()) {
    producer.join();
  } else {
    producer.detach();  // it may wait on standard input; the process is about to exit
  }
  progress.Update(written.load(), true);
  return status;
}

}  // namespace almanac::client
