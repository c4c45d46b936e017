// The progress bar of `almanac insert`/`upsert` on a terminal: a bar, rows, MB/s, percentage
// and ETA from the file size (rows and MB/s only when the size is unknown, as on a pipe),
// redrawn at most ten times a second on stderr and erased at the end. Silent when stderr is not
// a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "ingest/importer.h"

namespace almanac::cli {

class ProgressBar : public ingest::ImportObserver {
 public:
  // `enabled` false: draws nothing (--silent, or not a terminal).
  explicit ProgressBar(bool enabled);
  ~ProgressBar() override;
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Progress(Phase phase, int64_t records, uint64_t bytes,
                std::optional<uint64_t> total_bytes) override;
  // Erases the bar.
  void Finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool drawn_ = false;
  Phase phase_ = Phase::kWriting;
  Clock::time_point phase_start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace almanac::cli
