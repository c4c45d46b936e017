// PooledStream: a streamed response body made by a synchronous producer — a CSV cursor, a
// file — run on the SQL task pool, so that an I/O thread never waits on SQLite or the disk.
// Each Pull runs the producer once, on a pool thread (inline when there is no pool).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/task_pool.h"
#include "http/message.h"

namespace almanac::web {

class PooledStream : public http::BodyStream, public std::enable_shared_from_this<PooledStream> {
 public:
  // Appends the next bytes to `chunk`; returns false after the last ones. Must not throw.
  using Producer = std::function<bool(std::string& chunk)>;

  PooledStream(TaskPool* pool, Producer producer) : pool_(pool), producer_(std::move(producer)) {}

  void Pull(Deliver deliver) override;

 private:
  TaskPool* pool_;
  Producer producer_;
};

}  // namespace almanac::web
