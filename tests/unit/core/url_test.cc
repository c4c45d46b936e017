#include "core/url.h"

#include <gtest/gtest.h>

namespace almanac {
namespace {

TEST(TildeEncode, EncodesReservedCharactersAndSpaceAsPlus) {
  EXPECT_EQ(TildeEncode("table/with/slashes.csv"), "table~2Fwith~2Fslashes~2Ecsv");
  EXPECT_EQ(TildeEncode("Table With Space"), "Table+With+Space");
  EXPECT_EQ(TildeEncode("a~b"), "a~7Eb");
  EXPECT_EQ(TildeEncode("plain_name-1"), "plain_name-1");
}

TEST(TildeDecode, RoundTripsAndLeavesPercentAlone) {
  EXPECT_EQ(TildeDecode("table~2Fwith~2Fslashes~2Ecsv"), "table/with/slashes.csv");
  EXPECT_EQ(TildeDecode("Table+With+Space"), "Table With Space");
  EXPECT_EQ(TildeDecode("50%25"), "50%25");
  EXPECT_EQ(TildeDecode("bad~ZZescape"), "bad~ZZescape");
}

}  // namespace
}  // namespace almanac
