// Charts Datasette's core does not draw: a small server-rendered SVG bar chart beside each
// facet (one bar per facet value, length proportional to its count) and, for date facets, a
// time series (bars placed by date). Pure geometry: the SVG markup is in _facet_chart.mustache
// and _facet_timeline.mustache; every bar carries an accessible label "value: N rows".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ui/view.h"

namespace almanac::ui {

struct FacetValueView {
  std::string value;  // the value as text ("" for null)
  std::string label;  // what to show (a foreign key's label, or the value)
  int64_t count = 0;
  std::string toggle_href;
  bool selected = false;
};

struct FacetView {
  std::string name;
  std::string type;  // "column", "array", "date"
  std::vector<FacetValueView> values;
  bool truncated = false;
  std::string more_href;    // all values (_facet_size=max), when truncated
  std::string remove_href;  // the page without this facet
};

// Pixel height of one facet row; the list items in CSS use the same height so bars line up.
inline constexpr int kFacetRowHeight = 24;

// The bars beside a facet's list: {width, height, bars: [{y, w, label, value, count}]}.
Data FacetBars(const FacetView& facet);

// A time series for date facets: {width, height, bars: [{x, y, w, h, label, ...}], axis labels},
// or nothing (a false value) when fewer than two values parse as dates.
Data FacetTimeline(const FacetView& facet);

// Days since 1970-01-01 for "YYYY-MM-DD" (a prefix of longer timestamps is fine); -1 if not.
int64_t DaysFromIsoDate(const std::string& text);

}  // namespace almanac::ui
