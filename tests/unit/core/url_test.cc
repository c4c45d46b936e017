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

TEST(TildeEncode, EncodesEveryByteOfNonAsciiAndPunctuation) {
  EXPECT_EQ(TildeEncode("é"), "~C3~A9");
  EXPECT_EQ(TildeEncode("%+&=?#"), "~25~2B~26~3D~3F~23");
  EXPECT_EQ(TildeEncode(""), "");
  EXPECT_EQ(TildeEncode(std::string("a\0b", 3)), "a~00b");
}

TEST(TildeDecode, RoundTripsAndLeavesPercentAlone) {
  EXPECT_EQ(TildeDecode("table~2Fwith~2Fslashes~2Ecsv"), "table/with/slashes.csv");
  EXPECT_EQ(TildeDecode("Table+With+Space"), "Table With Space");
  EXPECT_EQ(TildeDecode("50%25"), "50%25");
  EXPECT_EQ(TildeDecode("%7E"), "%7E");
  EXPECT_EQ(TildeDecode("a+b~2Bc"), "a b+c");
  EXPECT_EQ(TildeDecode("~2f"), "/");
  EXPECT_EQ(TildeDecode("~25"), "%");
}

TEST(TildeDecode, InvalidEscapesBecomePercentAsInDatasette) {
  // Datasette's tilde_decode turns "~" into "%" before unquoting, so a "~" that does not start
  // a valid escape comes out as "%".
  EXPECT_EQ(TildeDecode("bad~ZZescape"), "bad%ZZescape");
  EXPECT_EQ(TildeDecode("~"), "%");
  EXPECT_EQ(TildeDecode("a~7"), "a%7");
  EXPECT_EQ(TildeDecode("~~41"), "%A");
}

TEST(TildeDecode, DecodesUtf8AndReplacesInvalidBytesLikePython) {
  EXPECT_EQ(TildeDecode("~C3~A9"), "é");
  EXPECT_EQ(TildeDecode("~F0~9F~98~80"), "😀");
  EXPECT_EQ(TildeDecode("~E2~82x"), "\uFFFDx");  // one U+FFFD for a truncated sequence
  EXPECT_EQ(TildeDecode("~FF"), "\uFFFD");
}

TEST(TildeRoundTrip, AnyNameSurvives) {
  for (std::string name : {"simple", "with space", "dots.and/slashes", "tilde~name", "percent%25",
                           "plus+sign", "ünïcødé 😀", "comma,separated", "-"}) {
    EXPECT_EQ(TildeDecode(TildeEncode(name)), name) << name;
  }
}

TEST(PercentDecode, DecodesValidEscapesOnly) {
  EXPECT_EQ(PercentDecode("a%20b", false), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%", true), "%");
  EXPECT_EQ(PercentDecode("%4", true), "%4");
  EXPECT_EQ(PercentDecode("%4g", true), "%4g");
  EXPECT_EQ(PercentDecode("%41%42", true), "AB");
}

TEST(QuotePlus, MatchesPythonQuotePlus) {
  // urllib.parse.quote_plus('a b/c~d.e_f-g&h=i+jé')
  EXPECT_EQ(QuotePlus("a b/c~d.e_f-g&h=i+jé"), "a+b%2Fc~d.e_f-g%26h%3Di%2Bj%C3%A9");
  EXPECT_EQ(Quote("a b/c~d"), "a%20b/c~d");
}

TEST(EncodeQueryString, MatchesPythonUrlencode) {
  EXPECT_EQ(EncodeQueryString({{"a b", "c&d"}, {"e", ""}}), "a+b=c%26d&e=");
  EXPECT_EQ(EncodeQueryString({}), "");
}

QueryArgs Args(std::initializer_list<std::pair<std::string, std::string>> list) {
  return QueryArgs(list.begin(), list.end());
}

TEST(ParseQueryString, MatchesParseQslWithKeepBlankValues) {
  // parse_qsl('a=1&b=&c&&d=%zz&e=%E2%82&f=x+y%2B&=v&g==h;i=2', keep_blank_values=True)
  EXPECT_EQ(ParseQueryString("a=1&b=&c&&d=%zz&e=%E2%82&f=x+y%2B&=v&g==h;i=2"),
            Args({{"a", "1"},
                  {"b", ""},
                  {"c", ""},
                  {"d", "%zz"},
                  {"e", "\uFFFD"},
                  {"f", "x y+"},
                  {"", "v"},
                  {"g", "=h;i=2"}}));
}

TEST(ParseQueryString, KeepsOrderAndRepeatedKeys) {
  EXPECT_EQ(ParseQueryString("_facet=a&_facet=b&x=1"),
            Args({{"_facet", "a"}, {"_facet", "b"}, {"x", "1"}}));
  EXPECT_EQ(ParseQueryString(""), Args({}));
  EXPECT_EQ(ParseQueryString("&&&"), Args({}));
  EXPECT_EQ(ParseQueryString("sql=select+%3Aa%2C+%27%C3%A9%27"), Args({{"sql", "select :a, 'é'"}}));
}

TEST(SanitizeUtf8, ReplacesEachMaximalSubpartOnce) {
  // b.decode("utf-8", "replace") for each of these
  EXPECT_EQ(SanitizeUtf8("\xE2\x82x"), "\uFFFDx");
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");            // a surrogate
  EXPECT_EQ(SanitizeUtf8("\xF0\x80\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xC0\x80"), "\uFFFD\uFFFD");
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // > U+10FFFF
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x98"), "\uFFFD");
  EXPECT_EQ(SanitizeUtf8("ok é 😀"), "ok é 😀");
  EXPECT_TRUE(IsValidUtf8("ok é 😀"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
}

}  // namespace
}  // namespace almanac
