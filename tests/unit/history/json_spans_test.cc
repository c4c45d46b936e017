#include "history/json_spans.h"

#include <gtest/gtest.h>

#include "history/span_table.h"

namespace almanac::history {
namespace {

using Spans = std::vector<std::string_view>;

TEST(ItemSpans, ElementsOfTheTopLevelArray) {
  std::string json = R"( [ {"a": "x]}\"{"}, {"b": [1, {"c": 2}]} ,3, "s", null ] )";
  EXPECT_EQ(*ItemSpans(json, ""),
            (Spans{R"({"a": "x]}\"{"})", R"({"b": [1, {"c": 2}]})", "3", "\"s\"", "null"}));
  EXPECT_EQ(*ItemSpans("[]", ""), Spans{});
}

TEST(ItemSpans, FollowsAPointer) {
  std::string json =
      R"({"meta": {"items": "no"}, "d\"a/ta": {"list": [{"id": 1}, {"id": 2}]}, "x": [0, [5, 6]]})";
  EXPECT_EQ(*ItemSpans(json, "/d\"a~1ta/list"), (Spans{R"({"id": 1})", R"({"id": 2})"}));
  EXPECT_EQ(*ItemSpans(json, "/x/1"), (Spans{"5", "6"}));
  EXPECT_EQ(*ItemSpans(json, "/meta"), (Spans{R"({"items": "no"})"}));  // one object, one item
  EXPECT_EQ(ItemSpans(json, "/meta/items").status().message(), "No array or object at /meta/items");
  EXPECT_EQ(ItemSpans(json, "/nope").status().message(), "Nothing at /nope in this version");
  EXPECT_EQ(ItemSpans(json, "/x/9").status().message(), "Nothing at /x/9 in this version");
  EXPECT_FALSE(ItemSpans(json, "meta").ok());
  EXPECT_EQ(*ItemSpans(R"({"a\u0062": [1]})", "/ab"), Spans{"1"});  // escaped keys decoded
}

TEST(ItemSpans, AScalarDocumentHasNoItems) {
  EXPECT_EQ(ItemSpans("42", "").status().message(), "The file is not a JSON array or object");
}

TEST(SpanTable, FindsEqualBytesAnywhere) {
  std::string a = "{\"id\": 1}{\"id\": 2}";
  std::string b = "xx{\"id\": 2}";
  SpanTable table;
  table.Reset(2);
  EXPECT_EQ(table.Find("anything"), SpanTable::kMissing);
  table.Insert(std::string_view(a).substr(0, 9), 7);
  table.Insert(std::string_view(a).substr(9), 8);
  table.Insert(std::string_view(a).substr(9), 9);  // the first value stays
  EXPECT_EQ(table.Find(std::string_view(b).substr(2)), 8u);
  EXPECT_EQ(table.Find("{\"id\": 3}"), SpanTable::kMissing);
}

TEST(SpanTable, HoldsAsManySpansAsItWasSizedFor) {
  std::vector<std::string> texts;
  for (int i = 0; i < 1000; ++i) texts.push_back("item " + std::to_string(i));
  SpanTable table;
  table.Reset(texts.size());
  for (uint32_t i = 0; i < texts.size(); ++i) table.Insert(texts[i], i);
  for (uint32_t i = 0; i < texts.size(); ++i) EXPECT_EQ(table.Find(texts[i]), i);
}

}  // namespace
}  // namespace almanac::history
