// RecordPipeline: reads and converts records on a second thread while the caller writes the
// previous ones to SQLite, so parsing costs no wall time when two cores are free. Records travel
// in owned batches (cells copied into the batch's arena) through a queue of at most
// kQueuedBatches, so memory stays bounded whatever the input size.
//
// Once started, the pipeline alone touches the source; each batch carries what the writer needs
// from it (the names of columns first met in the batch, the suggested column types so far, the
// bytes read for progress).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "ingest/record_source.h"

namespace almanac::ingest {

struct RecordBatch {
  std::vector<std::string> new_columns;  // appended to the source's column list in this batch
  std::vector<ColumnType> suggested;     // RecordSource::SuggestedType per column, at the end
  // The records, flattened: record i has the columns and cells [starts[i], starts[i + 1]).
  std::vector<uint32_t> columns;
  std::vector<Cell> cells;  // text and blobs point into `arena`
  std::vector<size_t> starts = {0};
  std::vector<uint64_t> lines;
  std::string arena;

  size_t size() const { return lines.size(); }
  RecordView record(size_t i) const {
    size_t begin = starts[i], n = starts[i + 1] - begin;
    return {std::span(columns).subspan(begin, n), std::span(cells).subspan(begin, n), lines[i]};
  }
  uint64_t position = 0;                // source bytes read at the end of the batch
  std::optional<uint64_t> total_bytes;  // the source's size, when known
  Status status;                        // a read or conversion error after the records before it
  bool last = false;                    // no batch follows
};

class RecordPipeline {
 public:
  static constexpr size_t kRecordsPerBatch = 2048;
  static constexpr size_t kQueuedBatches = 4;

  // Converts a record's cells in place before it is batched (e.g. text to detected types);
  // an error stops the pipeline with that status.
  using Convert = std::function<Status(Record&)>;

  // Starts reading `source` (up to `limit` records, 0 = all) on a thread of its own.
  RecordPipeline(RecordSource& source, int64_t limit, Convert convert);
  ~RecordPipeline();  // stops the thread
  RecordPipeline(const RecordPipeline&) = delete;
  RecordPipeline& operator=(const RecordPipeline&) = delete;

  // The next batch, blocking until it is ready.
  std::unique_ptr<RecordBatch> Next();
  // Hands a batch back for reuse (its buffers keep their capacity: no allocation per batch).
  void Recycle(std::unique_ptr<RecordBatch> batch);

 private:
  void Run();
  std::unique_ptr<RecordBatch> Fresh();
  bool Push(std::unique_ptr<RecordBatch> batch);  // false when stopped

  RecordSource& source_;
  int64_t limit_;
  Convert convert_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<RecordBatch>> queue_;
  std::vector<std::unique_ptr<RecordBatch>> spare_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace almanac::ingest
