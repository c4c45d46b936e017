#include "format/json_value.h"

#include <string>

#include <gtest/gtest.h>

namespace almanac::format {
namespace {

TEST(ParseJson, KeepsKeyOrderAndTypes) {
  Result<JsonValue> v = ParseJson(R"({"b": 1, "a": [true, null, 2.5, "x"], "c": {"d": -3}})");
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_TRUE(v->is_object());
  ASSERT_EQ(v->as_object().size(), 3u);
  EXPECT_EQ(v->as_object()[0].first, "b");
  EXPECT_EQ(v->as_object()[1].first, "a");
  EXPECT_TRUE(v->Find("b")->is_int());
  EXPECT_EQ(v->Find("b")->as_int(), 1);
  const JsonValue::Array& a = v->Find("a")->as_array();
  EXPECT_TRUE(a[0].as_bool());
  EXPECT_TRUE(a[1].is_null());
  EXPECT_DOUBLE_EQ(a[2].as_double(), 2.5);
  EXPECT_EQ(a[3].as_string(), "x");
  EXPECT_EQ(v->Find("c")->Find("d")->as_int(), -3);
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(ParseJson, RoundTripsThroughPythonFormatting) {
  Result<JsonValue> v = ParseJson(R"({"b":1,"a":[true,null,2.5,"\u00e9\ud83d\ude00",1e16]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToJsonText(*v), R"({"b": 1, "a": [true, null, 2.5, "\u00e9\ud83d\ude00", 1e+16]})");
}

TEST(ParseJson, BigIntegersStayExact) {
  Result<JsonValue> v = ParseJson("[9223372036854775807, -9223372036854775808]");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToJsonText(*v), "[9223372036854775807, -9223372036854775808]");
}

TEST(ParseJson, MalformedInputIsInvalidArgument) {
  for (std::string_view bad : {"", "{", "[1,]", "{\"a\" 1}", "nul", "\"unterminated", "[1] x"}) {
    Result<JsonValue> v = ParseJson(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(v.status().message().starts_with("Invalid JSON: ")) << v.status().message();
  }
}

TEST(ParseJson, DeepNestingIsAnErrorNotACrash) {
  std::string deep(200000, '[');
  deep.append(200000, ']');
  Result<JsonValue> v = ParseJson(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(), "Invalid JSON: nesting is too deep");
  std::string unbalanced(200000, '{');
  EXPECT_FALSE(ParseJson(unbalanced).ok());
}

TEST(ParseJson, ModerateNestingParses) {
  std::string nested(500, '[');
  nested.append(500, ']');
  EXPECT_TRUE(ParseJson(nested).ok());
}

TEST(JsonValue, TruthinessFollowsPython) {
  EXPECT_FALSE(JsonValue().Truthy());
  EXPECT_FALSE(JsonValue::Bool(false).Truthy());
  EXPECT_FALSE(JsonValue::Int(0).Truthy());
  EXPECT_FALSE(JsonValue::Double(0.0).Truthy());
  EXPECT_FALSE(JsonValue::String("").Truthy());
  EXPECT_FALSE(JsonValue::MakeArray().Truthy());
  EXPECT_FALSE(JsonValue::MakeObject().Truthy());
  EXPECT_TRUE(JsonValue::Int(2).Truthy());
  EXPECT_TRUE(JsonValue::String("0").Truthy());
}

TEST(JsonValue, SetReplacesOrAppends) {
  JsonValue obj = JsonValue::MakeObject();
  obj.Set("a", JsonValue::Int(1));
  obj.Set("b", JsonValue::Int(2));
  obj.Set("a", JsonValue::Int(3));
  EXPECT_EQ(ToJsonText(obj), R"({"a": 3, "b": 2})");
}

}  // namespace
}  // namespace almanac::format
