#include "cli/progress.h"

#include <cstdio>
#include <string>

#include "cli/cli_util.h"

namespace almanac::cli {

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

void ProgressBar::Progress(Phase phase, int64_t records, uint64_t bytes,
                           std::optional<uint64_t> total_bytes) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (phase != phase_) {
    phase_ = phase;
    phase_start_ = now;
  }
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - phase_start_).count();
  double mb_per_s = seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0;
  std::string line = phase == Phase::kDetectingTypes ? "detecting types " : "inserting ";
  if (total_bytes && *total_bytes > 0) {
    double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(*total_bytes));
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    line += "[" + std::string(static_cast<size_t>(filled), '#') +
            std::string(static_cast<size_t>(kWidth - filled), '-') + "] ";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%3d%%  ", static_cast<int>(fraction * 100));
    line += buffer;
    if (fraction > 0 && seconds > 0.5) {
      int eta = static_cast<int>(seconds / fraction - seconds);
      std::snprintf(buffer, sizeof buffer, "ETA %d:%02d  ", eta / 60, eta % 60);
      line += buffer;
    }
  }
  line += WithCommas(records) + " rows";
  if (seconds >= 0.1) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "  %.1f MB/s", mb_per_s);
    line += rate;
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace almanac::cli
