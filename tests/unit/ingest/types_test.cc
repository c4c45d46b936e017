// Type detection never loses data: what counts as an integer or a number.
#include "ingest/types.h"

#include <gtest/gtest.h>

namespace almanac::ingest {
namespace {

ColumnType Guess(std::initializer_list<const char*> cells) {
  TypeGuess guess;
  for (const char* c : cells) guess.Observe(c);
  return guess.type();
}

TEST(Types, ExactIntegers) {
  int64_t i = 0;
  EXPECT_TRUE(ParseExactInteger("0", &i));
  EXPECT_TRUE(ParseExactInteger("-42", &i));
  EXPECT_EQ(i, -42);
  EXPECT_TRUE(ParseExactInteger("9223372036854775807", &i));
  for (const char* s : {"007", "+44", " 1", "1 ", "1_000", "-0", "", "-", "9223372036854775808",
                        "1.0", "1e3", "0x10"}) {
    EXPECT_FALSE(ParseExactInteger(s, &i)) << s;
  }
}

TEST(Types, ExactReals) {
  double d = 0;
  for (const char* s : {"1.5", "-0.25", "1e5", "2.5E-3", ".5", "5.", "0.0", "3.141592653589793",
                        "0.1", "123456789012.5"}) {
    EXPECT_TRUE(ParseExactReal(s, &d)) << s;
  }
  for (const char* s : {"nan", "inf", "-inf", "007.5", "+1.5", "1.5 ", "1,5", "1e", "e5", ".",
                        "1e999", "3.14159265358979323846", "1_0.5"}) {
    EXPECT_FALSE(ParseExactReal(s, &d)) << s;
  }
}

TEST(Types, ColumnGuesses) {
  EXPECT_EQ(Guess({"1", "2", ""}), ColumnType::kInteger);
  EXPECT_EQ(Guess({"1", "2.5"}), ColumnType::kReal);
  EXPECT_EQ(Guess({"1", "007"}), ColumnType::kText);
  EXPECT_EQ(Guess({"", ""}), ColumnType::kInteger);  // as sqlite-utils
  EXPECT_EQ(Guess({"+441234", "2"}), ColumnType::kText);
  // A 17-digit integer cannot share a REAL column without losing digits.
  EXPECT_EQ(Guess({"12345678901234567", "1.5"}), ColumnType::kText);
  EXPECT_EQ(Guess({"12345678901234567", "2"}), ColumnType::kInteger);
}

TEST(Types, JsonTypesFollowSqliteUtils) {
  auto type = [](std::initializer_list<format::JsonValue> values) {
    JsonTypes t;
    for (const auto& v : values) t.Observe(v);
    return t.type();
  };
  using format::JsonValue;
  EXPECT_EQ(type({JsonValue::Int(1), JsonValue()}), ColumnType::kInteger);
  EXPECT_EQ(type({JsonValue::Int(1), JsonValue::Bool(true)}), ColumnType::kInteger);
  EXPECT_EQ(type({JsonValue::Int(1), JsonValue::Double(1.5)}), ColumnType::kReal);
  EXPECT_EQ(type({JsonValue::Int(1), JsonValue::String("x")}), ColumnType::kText);
  EXPECT_EQ(type({JsonValue()}), ColumnType::kText);
  EXPECT_EQ(type({JsonValue::MakeObject()}), ColumnType::kText);
}

TEST(Types, ConvertText) {
  EXPECT_EQ(ConvertText("12", ColumnType::kInteger, "c")->integer, 12);
  EXPECT_EQ(ConvertText("", ColumnType::kInteger, "c")->kind, Cell::Kind::kNull);
  EXPECT_EQ(ConvertText("", ColumnType::kText, "c")->kind, Cell::Kind::kText);
  EXPECT_EQ(ConvertText("3", ColumnType::kReal, "c")->real, 3.0);
  EXPECT_EQ(ConvertText("abc", ColumnType::kInteger, "n").status().message(),
            "column n: abc is not an integer");
}

}  // namespace
}  // namespace almanac::ingest
