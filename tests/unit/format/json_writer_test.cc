#include "format/json_writer.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace almanac::format {
namespace {

std::string Write(const Value& v, JsonStyle style = {}) {
  std::string out;
  JsonWriter w(out, style);
  w.WriteValue(v);
  return out;
}

std::string Dbl(double d, JsonStyle style = {}) { return Write(Value::Real(d), style); }

TEST(JsonWriter, UsesPythonSeparators) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("a", int64_t{1});
  w.Key("b");
  w.BeginArray();
  w.Bool(true);
  w.Bool(false);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.EndObject();
  // json.dumps({'a': 1, 'b': [True, False, None, {}, []]})
  EXPECT_EQ(out, R"({"a": 1, "b": [true, false, null, {}, []]})");
}

TEST(JsonWriter, CompactStyleUsesBareSeparators) {
  std::string out;
  JsonWriter w(out, JsonStyle{.compact = true});
  w.BeginObject();
  w.Member("a", int64_t{1});
  w.Key("b");
  w.BeginArray();
  w.Int(1);
  w.Int(2);
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[1,2]})");
}

TEST(JsonWriter, RawIsOneValue) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.Raw(R"({"x": 1})");
  w.Int(2);
  w.EndArray();
  EXPECT_EQ(out, R"([{"x": 1}, 2])");
}

TEST(JsonString, EscapesLikePythonJsonDumps) {
  // json.dumps('"\\/\b\f\n\r\t\x01\x1f')
  EXPECT_EQ(JsonQuote("\"\\/\b\f\n\r\t\x01\x1f"), R"("\"\\/\b\f\n\r\t\u0001\u001f")");
  EXPECT_EQ(JsonQuote(std::string("nul\0byte", 8)), R"("nul\u0000byte")");
  EXPECT_EQ(JsonQuote("\x7f"), R"("\u007f")");  // DEL is outside ' '..'~'
  EXPECT_EQ(JsonQuote(""), R"("")");
}

TEST(JsonString, EnsureAsciiEscapesNonAsciiWithSurrogatePairs) {
  EXPECT_EQ(JsonQuote("é"), R"("\u00e9")");
  EXPECT_EQ(JsonQuote("\u2028"), R"("\u2028")");
  EXPECT_EQ(JsonQuote("😀"), R"("\ud83d\ude00")");
  EXPECT_EQ(JsonQuote("a😀b€"), R"("a\ud83d\ude00b\u20ac")");
  EXPECT_EQ(JsonQuote("\U0010FFFF"), R"("\udbff\udfff")");
}

TEST(JsonString, WithoutEnsureAsciiKeepsUtf8) {
  std::string out;
  AppendJsonString("é😀\x7f\n", out, /*ensure_ascii=*/false);
  EXPECT_EQ(out, "\"é😀\x7f\\n\"");
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacters) {
  // bytes.decode("utf-8", "replace") then json.dumps
  EXPECT_EQ(JsonQuote("a\xFFz"), R"("a\ufffdz")");
  EXPECT_EQ(JsonQuote("\xE2\x82x"), R"("\ufffdx")");  // one per maximal subpart
  EXPECT_EQ(JsonQuote("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(JsonQuote("\xF0\x9F\x98"), R"("\ufffd")");
  EXPECT_EQ(JsonQuote("\xC0\xAF"), R"("\ufffd\ufffd")");
  std::string out;
  AppendJsonString("a\xFFz", out, /*ensure_ascii=*/false);
  EXPECT_EQ(out, "\"a\uFFFDz\"");
}

TEST(JsonValueRules, FloatsAsPythonRepr) {
  EXPECT_EQ(Dbl(1e16), "1e+16");
  EXPECT_EQ(Dbl(-0.0), "-0.0");
  EXPECT_EQ(Dbl(100.0), "100.0");
  EXPECT_EQ(Dbl(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Dbl(1e-7), "1e-07");
  EXPECT_EQ(Dbl(123456789.123), "123456789.123");
  EXPECT_EQ(Dbl(1e15), "1000000000000000.0");
}

TEST(JsonValueRules, InfinitiesAreNullUnlessStyleAsksForLiterals) {
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Dbl(inf), "null");
  EXPECT_EQ(Dbl(-inf), "null");
  JsonStyle literal{.infinity_as_literal = true};
  EXPECT_EQ(Dbl(inf, literal), "Infinity");
  EXPECT_EQ(Dbl(-inf, literal), "-Infinity");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::quiet_NaN(), literal), "NaN");
}

TEST(JsonValueRules, BigIntegersStayExact) {
  EXPECT_EQ(Write(Value::Integer(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(Write(Value::Integer(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(Write(Value::Integer(9007199254740993)), "9007199254740993");  // 2**53 + 1
}

TEST(JsonValueRules, BlobsAreBase64Objects) {
  EXPECT_EQ(Write(Value::BlobOf("foo")), R"({"$base64": true, "encoded": "Zm9v"})");
  EXPECT_EQ(Write(Value::BlobOf(std::string("\x00\xFF", 2))),
            R"({"$base64": true, "encoded": "AP8="})");
  EXPECT_EQ(Write(Value::BlobOf("")), R"({"$base64": true, "encoded": ""})");
}

TEST(JsonValueRules, NullAndTextValues) {
  EXPECT_EQ(Write(Value::Null()), "null");
  EXPECT_EQ(Write(Value::Text("é\"")), R"("\u00e9\"")");
}

TEST(JsonValueRules, ValuesInsideContainersGetSeparators) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.WriteValue(Value::BlobOf("f"));
  w.WriteValue(Value::Real(1.5));
  w.WriteValue(Value::Null());
  w.EndArray();
  EXPECT_EQ(out, R"([{"$base64": true, "encoded": "Zg=="}, 1.5, null])");
}

}  // namespace
}  // namespace almanac::format
