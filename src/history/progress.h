// ProgressBar: one self-rewriting line on a terminal —
//   [#########.........]  4,210/10,000  42%  1,873 commits/s  ETA 0:03
// redrawn at most ten times a second. Draws nothing when the stream is not a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace almanac::history {

class ProgressBar {
 public:
  // `unit` names what is counted ("commits").
  ProgressBar(std::FILE* stream, std::string unit);
  bool active() const { return active_; }
  void Update(int64_t done, int64_t total);
  // Clears the line (before a warning, or at the end).
  void Clear();

  // The line for `done` of `total` after `seconds` (no terminal control characters).
  static std::string Line(int64_t done, int64_t total, double seconds, const std::string& unit);

 private:
  std::FILE* stream_;
  std::string unit_;
  bool active_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// 10000 -> "10,000".
std::string WithCommas(int64_t n);

}  // namespace almanac::history
