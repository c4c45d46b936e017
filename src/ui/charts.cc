#include "ui/charts.h"

#include <algorithm>
#include <cstdio>

namespace almanac::ui {
namespace {

constexpr double kBarsWidth = 100;    // viewBox units; the SVG stretches to its column
constexpr double kBarThickness = 14;  // of kFacetRowHeight
constexpr double kTimelineWidth = 600;
constexpr double kTimelineHeight = 80;

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string BarLabel(const FacetValueView& v) {
  std::string shown = v.label.empty() ? (v.value.empty() ? "-" : v.value) : v.label;
  return shown + ": " + Plural(v.count, "row", "rows");
}

int64_t MaxCount(const FacetView& facet) {
  int64_t max = 0;
  for (const FacetValueView& v : facet.values) max = std::max(max, v.count);
  return max;
}

Data Bar(const FacetValueView& v) {
  Data bar;
  bar.set("label", BarLabel(v));
  bar.set("value", v.value);
  bar.set("count", std::to_string(v.count));
  bar.set("href", v.toggle_href);
  bar.set("selected", v.selected);
  return bar;
}

}  // namespace

int64_t DaysFromIsoDate(const std::string& text) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return -1;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return -1;
  }
  y = std::stoi(text.substr(0, 4));
  m = std::stoi(text.substr(5, 2));
  d = std::stoi(text.substr(8, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

Data FacetBars(const FacetView& facet) {
  int64_t max = MaxCount(facet);
  Data chart;
  chart.set("width", Num(kBarsWidth));
  chart.set("height", std::to_string(kFacetRowHeight * static_cast<int>(facet.values.size())));
  chart.set("title", "Rows per " + facet.name);
  Data bars = List();
  for (size_t i = 0; i < facet.values.size(); ++i) {
    const FacetValueView& v = facet.values[i];
    Data bar = Bar(v);
    double width =
        max > 0 ? kBarsWidth * static_cast<double>(v.count) / static_cast<double>(max) : 0;
    if (v.count > 0) width = std::max(width, 1.0);
    bar.set("x", "0");
    bar.set("y",
            Num(static_cast<double>(i) * kFacetRowHeight + (kFacetRowHeight - kBarThickness) / 2));
    bar.set("w", Num(width));
    bar.set("h", Num(kBarThickness));
    bars.push_back(bar);
  }
  Put(chart, "bars", std::move(bars));
  return chart;
}

Data FacetTimeline(const FacetView& facet) {
  struct Point {
    int64_t day;
    const FacetValueView* value;
  };
  std::vector<Point> points;
  for (const FacetValueView& v : facet.values) {
    int64_t day = DaysFromIsoDate(v.value);
    if (day >= 0) points.push_back({day, &v});
  }
  if (points.size() < 2) return Data(false);
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.day < b.day; });
  int64_t first = points.front().day;
  int64_t span = points.back().day - first + 1;
  int64_t max = MaxCount(facet);
  double slot = kTimelineWidth / static_cast<double>(span);
  double bar_width = std::max(2.0, slot * 0.8);
  Data chart;
  chart.set("width", Num(kTimelineWidth));
  chart.set("height", Num(kTimelineHeight));
  chart.set("title", "Rows per day of " + facet.name);
  chart.set("first_label", points.front().value->value.substr(0, 10));
  chart.set("last_label", points.back().value->value.substr(0, 10));
  chart.set("max_label", "max " + FormatCount(max));
  Data bars = List();
  for (const Point& p : points) {
    Data bar = Bar(*p.value);
    double height = max > 0 ? (kTimelineHeight - 4) * static_cast<double>(p.value->count) /
                                  static_cast<double>(max)
                            : 0;
    height = std::max(height, 1.0);
    double x = std::min(static_cast<double>(p.day - first) * slot, kTimelineWidth - bar_width);
    bar.set("x", Num(x));
    bar.set("y", Num(kTimelineHeight - height));
    bar.set("w", Num(bar_width));
    bar.set("h", Num(height));
    bars.push_back(bar);
  }
  Put(chart, "bars", std::move(bars));
  return chart;
}

}  // namespace almanac::ui
