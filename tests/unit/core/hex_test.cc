#include "core/hex.h"

#include <gtest/gtest.h>

namespace almanac {
namespace {

TEST(HexEncode, TwoLowerCaseDigitsPerByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string_view("\x00\x0f\xa5\xff", 4)), "000fa5ff");
  const unsigned char bytes[] = {0xde, 0xad, 0xbe, 0xef};
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), "deadbeef");
}

}  // namespace
}  // namespace almanac
