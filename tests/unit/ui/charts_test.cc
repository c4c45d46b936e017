#include "ui/charts.h"

#include <gtest/gtest.h>

namespace almanac::ui {
namespace {

const Data* Get(const Data& d, const std::string& key) { return d.get(key); }
std::string Text(const Data& d, const std::string& key) { return d.get(key)->string_value(); }

FacetView States() {
  FacetView facet;
  facet.name = "state";
  facet.values = {{"CA", "CA", 10, "/t?state=CA", false},
                  {"MI", "MI", 4, "/t?state=MI", true},
                  {"MC", "MC", 1, "/t?state=MC", false}};
  return facet;
}

TEST(FacetBars, OneBarPerValueProportionalToItsCount) {
  Data chart = FacetBars(States());
  const auto& bars = Get(chart, "bars")->list_value();
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(Text(bars[0], "w"), "100.0");
  EXPECT_EQ(Text(bars[1], "w"), "40.0");
  EXPECT_EQ(Text(bars[2], "w"), "10.0");
  EXPECT_EQ(Text(bars[0], "label"), "CA: 10 rows");
  EXPECT_EQ(Text(bars[2], "label"), "MC: 1 row");
  EXPECT_EQ(Text(bars[1], "count"), "4");
  EXPECT_TRUE(Get(bars[1], "selected")->is_true());
  // Bars sit in rows of kFacetRowHeight, so they line up with the list beside them.
  EXPECT_EQ(Text(bars[1], "y"), "29.0");
  EXPECT_EQ(Text(chart, "height"), "72");
}

TEST(FacetBars, NullValuesAreLabelledWithADash) {
  FacetView facet;
  facet.name = "x";
  facet.values = {{"", "", 3, "/t?x__isnull=1", false}};
  Data chart = FacetBars(facet);
  EXPECT_EQ(Text(Get(chart, "bars")->list_value()[0], "label"), "-: 3 rows");
}

TEST(FacetTimeline, PlacesBarsByDate) {
  FacetView facet;
  facet.name = "created";
  facet.type = "date";
  facet.values = {{"2019-01-16", "2019-01-16", 3, "", false},
                  {"2019-01-14", "2019-01-14", 4, "", false},
                  {"2019-01-17", "2019-01-17", 5, "", false}};
  Data chart = FacetTimeline(facet);
  ASSERT_TRUE(chart.is_object());
  const auto& bars = Get(chart, "bars")->list_value();
  ASSERT_EQ(bars.size(), 3u);
  // Chronological, with the missing day (15th) left as a gap: 4 days over 600 units.
  EXPECT_EQ(Text(bars[0], "value"), "2019-01-14");
  EXPECT_EQ(Text(bars[0], "x"), "0.0");
  EXPECT_EQ(Text(bars[1], "x"), "300.0");
  EXPECT_EQ(Text(bars[2], "x"), "450.0");
  EXPECT_EQ(Text(bars[2], "h"), "76.0");  // the tallest bar fills the height
  EXPECT_EQ(Text(chart, "first_label"), "2019-01-14");
  EXPECT_EQ(Text(chart, "last_label"), "2019-01-17");
}

TEST(FacetTimeline, NeedsTwoDates) {
  FacetView facet;
  facet.values = {{"not a date", "", 3, "", false}, {"2020-01-01", "", 1, "", false}};
  EXPECT_TRUE(FacetTimeline(facet).is_false());
}

TEST(FacetTimeline, DaysFromIsoDate) {
  EXPECT_EQ(DaysFromIsoDate("1970-01-01"), 0);
  EXPECT_EQ(DaysFromIsoDate("2000-03-01"), 11017);
  EXPECT_EQ(DaysFromIsoDate("2019-01-14 08:00:00"), 17910);
  EXPECT_EQ(DaysFromIsoDate("2019-13-01"), -1);
  EXPECT_EQ(DaysFromIsoDate("2019/01/01"), -1);
}

}  // namespace
}  // namespace almanac::ui
