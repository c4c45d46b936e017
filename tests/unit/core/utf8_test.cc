#include "core/utf8.h"

#include <gtest/gtest.h>

namespace almanac {
namespace {

TEST(DecodeUtf8, DecodesWellFormedSequences) {
  Utf8Char a = DecodeUtf8("A", 0);
  EXPECT_TRUE(a.valid);
  EXPECT_EQ(a.code_point, 0x41u);
  EXPECT_EQ(a.length, 1u);
  Utf8Char e = DecodeUtf8("é", 0);
  EXPECT_TRUE(e.valid);
  EXPECT_EQ(e.code_point, 0xE9u);
  EXPECT_EQ(e.length, 2u);
  Utf8Char euro = DecodeUtf8("€", 0);
  EXPECT_EQ(euro.code_point, 0x20ACu);
  EXPECT_EQ(euro.length, 3u);
  Utf8Char emoji = DecodeUtf8("😀", 0);
  EXPECT_EQ(emoji.code_point, 0x1F600u);
  EXPECT_EQ(emoji.length, 4u);
  Utf8Char max = DecodeUtf8("\xF4\x8F\xBF\xBF", 0);
  EXPECT_TRUE(max.valid);
  EXPECT_EQ(max.code_point, 0x10FFFFu);
}

TEST(DecodeUtf8, IllFormedSequencesReportTheirMaximalSubpart) {
  struct Case {
    std::string_view bytes;
    size_t length;
  };
  for (Case c : {Case{"\x80", 1}, Case{"\xC1\xBF", 1}, Case{"\xE2\x82x", 2},
                 Case{"\xE0\x80\x80", 1}, Case{"\xED\xA0\x80", 1}, Case{"\xF0\x9F\x98", 3},
                 Case{"\xF4\x90\x80\x80", 1}, Case{"\xF5\x80", 1}, Case{"\xFF", 1}}) {
    Utf8Char ch = DecodeUtf8(c.bytes, 0);
    EXPECT_FALSE(ch.valid) << testing::PrintToString(c.bytes);
    EXPECT_EQ(ch.code_point, 0xFFFDu);
    EXPECT_EQ(ch.length, c.length) << testing::PrintToString(c.bytes);
  }
}

}  // namespace
}  // namespace almanac
