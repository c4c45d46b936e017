#include <gtest/gtest.h>

#include "ui/table_controls.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

api::Request RequestFor(std::string path, std::string query) {
  api::Request r;
  r.path = std::move(path);
  r.query_string = query;
  r.args = ParseQueryString(query);
  return r;
}

TEST(Filters, EveryDatasetteOperatorIsOffered) {
  for (const char* op : {"exact",
                         "not",
                         "contains",
                         "notcontains",
                         "endswith",
                         "startswith",
                         "gt",
                         "gte",
                         "lt",
                         "lte",
                         "like",
                         "notlike",
                         "glob",
                         "in",
                         "notin",
                         "arraycontains",
                         "arraynotcontains",
                         "date",
                         "isnull",
                         "notnull",
                         "isblank",
                         "notblank"}) {
    EXPECT_NE(FindFilterOp(op), nullptr) << op;
  }
  EXPECT_TRUE(FindFilterOp("isnull")->no_argument);
  EXPECT_FALSE(FindFilterOp("gt")->no_argument);
}

TEST(Urls, ChangedArgsKeepOthersAndDropNext) {
  api::Request r = RequestFor("/db/t", "a=1&_sort=x&_next=abc&_facet=s");
  EXPECT_EQ(ChangedArgsUrl(r, {"_sort"}, {{"_sort_desc", "x"}}), "/db/t?a=1&_facet=s&_sort_desc=x");
  EXPECT_EQ(ChangedArgsUrl(r, {}, {{"_facet", "y"}}), "/db/t?a=1&_sort=x&_facet=s&_facet=y");
  EXPECT_EQ(ChangedArgsUrl(RequestFor("/db/t", ""), {}, {}), "/db/t");
}

TEST(Urls, HiddenArgsKeepUnderscoreArgumentsTheFormDoesNotSet) {
  api::Request r =
      RequestFor("/db/t", "_facet=a&_sort=b&state=CA&_next=x&_filter_column=z&_size=5");
  auto hidden = HiddenArgs(r, {"_sort"});
  ASSERT_EQ(hidden.size(), 2u);
  EXPECT_EQ(hidden[0].first, "_facet");
  EXPECT_EQ(hidden[1].first, "_size");
}

TEST(Sql, NamedParametersSkipStringsAndComments) {
  EXPECT_EQ(NamedParameters("select * from t where a = :a and b = :b_2 or a = :a"),
            (std::vector<std::string>{"a", "b_2"}));
  EXPECT_EQ(NamedParameters("select ':no', \":no\", [:no] -- :no\n, /* :no */ :yes"),
            (std::vector<std::string>{"yes"}));
  EXPECT_EQ(NamedParameters("select time('12:30'), x::text"), std::vector<std::string>{});
  EXPECT_EQ(NamedParameters("select :_header_user_agent"),
            std::vector<std::string>{"_header_user_agent"});
}

}  // namespace
}  // namespace almanac::ui
