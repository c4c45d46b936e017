#include "history/progress.h"

#include <cmath>

#include <unistd.h>

namespace almanac::history {

std::string WithCommas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

ProgressBar::ProgressBar(std::FILE* stream, std::string unit)
    : stream_(stream),
      unit_(std::move(unit)),
      active_(isatty(fileno(stream)) != 0),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::Line(int64_t done, int64_t total, double seconds,
                              const std::string& unit) {
  constexpr int kWidth = 30;
  double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  int filled = static_cast<int>(fraction * kWidth);
  std::string line = "[" + std::string(static_cast<size_t>(filled), '#') +
                     std::string(static_cast<size_t>(kWidth - filled), '.') + "]  " +
                     WithCommas(done) + "/" + WithCommas(total) + "  " +
                     std::to_string(static_cast<int>(fraction * 100)) + "%";
  if (seconds > 0 && done > 0) {
    double rate = static_cast<double>(done) / seconds;
    line += "  " + WithCommas(static_cast<int64_t>(rate)) + " " + unit + "/s";
    auto eta = static_cast<int64_t>(std::ceil(static_cast<double>(total - done) / rate));
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "  ETA %lld:%02lld", static_cast<long long>(eta / 60),
                  static_cast<long long>(eta % 60));
    line += buffer;
  }
  return line;
}

void ProgressBar::Update(int64_t done, int64_t total) {
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stream_, "\r%s\033[K", Line(done, total, seconds, unit_).c_str());
  std::fflush(stream_);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!active_ || !drawn_) return;
  std::fprintf(stream_, "\r\033[K");
  std::fflush(stream_);
  drawn_ = false;
}

}  // namespace almanac::history
