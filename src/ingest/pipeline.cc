#include "ingest/pipeline.h"

#include <utility>

namespace almanac::ingest {
namespace {

bool HasBytes(const Cell& cell) {
  return cell.kind == Cell::Kind::kText || cell.kind == Cell::Kind::kBlob;
}

}  // namespace

RecordPipeline::RecordPipeline(RecordSource& source, int64_t limit, Convert convert)
    : source_(source), limit_(limit), convert_(std::move(convert)) {
  thread_ = std::thread([this] { Run(); });
}

RecordPipeline::~RecordPipeline() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool RecordPipeline::Push(std::unique_ptr<RecordBatch> batch) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return stopping_ || queue_.size() < kQueuedBatches; });
  if (stopping_) return false;
  queue_.push_back(std::move(batch));
  changed_.notify_all();
  return true;
}

std::unique_ptr<RecordBatch> RecordPipeline::Next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !queue_.empty(); });
  std::unique_ptr<RecordBatch> batch = std::move(queue_.front());
  queue_.pop_front();
  changed_.notify_all();
  return batch;
}

void RecordPipeline::Recycle(std::unique_ptr<RecordBatch> batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  spare_.push_back(std::move(batch));
}

std::unique_ptr<RecordBatch> RecordPipeline::Fresh() {
  std::unique_ptr<RecordBatch> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!spare_.empty()) {
      batch = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  if (!batch) return std::make_unique<RecordBatch>();
  batch->new_columns.clear();
  batch->suggested.clear();
  batch->columns.clear();
  batch->cells.clear();
  batch->starts.assign(1, 0);
  batch->lines.clear();
  batch->arena.clear();
  batch->status = Status::Ok();
  batch->last = false;
  return batch;
}

void RecordPipeline::Run() {
  size_t known_columns = source_.columns().size();
  int64_t read = 0;
  Record record;
  std::vector<size_t> offsets;  // per cell with bytes: where they start in the arena
  bool done = false;
  while (!done) {
    std::unique_ptr<RecordBatch> batch = Fresh();
    offsets.clear();  // per cell with bytes: where they start in the arena
    while (batch->size() < kRecordsPerBatch) {
      if (limit_ > 0 && read >= limit_) {
        done = true;
        break;
      }
      Result<bool> more = source_.Next(record);
      if (more.ok() && *more && convert_) {
        Status converted = convert_(record);
        if (!converted.ok()) more = converted;
      }
      if (!more.ok() || !*more) {
        if (!more.ok()) batch->status = more.status();
        done = true;
        break;
      }
      ++read;
      for (const Cell& cell : record.cells) {
        if (HasBytes(cell)) {
          offsets.push_back(batch->arena.size());
          batch->arena.append(cell.bytes);
        }
      }
      batch->columns.insert(batch->columns.end(), record.columns.begin(), record.columns.end());
      batch->cells.insert(batch->cells.end(), record.cells.begin(), record.cells.end());
      batch->starts.push_back(batch->cells.size());
      batch->lines.push_back(record.line);
    }
    // The arena is complete: point the cells at it.
    size_t next = 0;
    for (Cell& cell : batch->cells) {
      if (HasBytes(cell)) {
        cell.bytes = std::string_view(batch->arena.data() + offsets[next++], cell.bytes.size());
      }
    }
    const std::vector<std::string>& columns = source_.columns();
    batch->new_columns.assign(columns.begin() + static_cast<ptrdiff_t>(known_columns),
                              columns.end());
    known_columns = columns.size();
    for (size_t c = 0; c < columns.size(); ++c)
      batch->suggested.push_back(source_.SuggestedType(c));
    batch->position = source_.position();
    batch->total_bytes = source_.size();
    batch->last = done;
    if (!Push(std::move(batch))) return;
  }
}

}  // namespace almanac::ingest
