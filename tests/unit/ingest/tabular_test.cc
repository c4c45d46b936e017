#include "ingest/tabular.h"

#include <gtest/gtest.h>

namespace almanac::ingest {
namespace {

using format::JsonValue;

TEST(Tabular, CsvWithTypesDetectedPerColumn) {
  Result<Tabular> t = ParseTabular(
      "id,name,score,zip\n1,Ann,2.5,02134\n2,\"Bo, Jr.\",3,90210\n3,,,\n", std::nullopt);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->format, TabularFormat::kCsv);
  EXPECT_EQ(t->columns, (std::vector<std::string>{"id", "name", "score", "zip"}));
  EXPECT_EQ(t->types, (std::vector<std::string>{"integer", "text", "float", "text"}));
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0][0], JsonValue::Int(1));
  EXPECT_EQ(t->rows[1][1], JsonValue::String("Bo, Jr."));
  EXPECT_EQ(t->rows[1][2], JsonValue::Double(3));
  EXPECT_EQ(t->rows[0][3], JsonValue::String("02134"));  // leading zeros stay text
  EXPECT_TRUE(t->rows[2][2].is_null());                  // empty number cells are null
  EXPECT_EQ(t->rows[2][1], JsonValue::String(""));
}

TEST(Tabular, QuotedNewlinesAndDoubledQuotes) {
  Result<Tabular> t = ParseTabular("a,b\r\n\"line\nbreak\",\"say \"\"hi\"\"\"\r\n", std::nullopt);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows[0][0], JsonValue::String("line\nbreak"));
  EXPECT_EQ(t->rows[0][1], JsonValue::String("say \"hi\""));
}

TEST(Tabular, TsvIsDetectedFromTabs) {
  Result<Tabular> t = ParseTabular("a\tb\n1\tx, y\n", std::nullopt);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->format, TabularFormat::kTsv);
  EXPECT_EQ(t->rows[0][1], JsonValue::String("x, y"));
}

TEST(Tabular, JsonArrayOfObjectsKeepsValuesAndUnionsColumns) {
  Result<Tabular> t =
      ParseTabular(R"([{"id": 1, "tags": ["a"]}, {"id": 2.5, "extra": "x"}])", std::nullopt);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->format, TabularFormat::kJson);
  EXPECT_EQ(t->columns, (std::vector<std::string>{"id", "tags", "extra"}));
  EXPECT_EQ(t->types, (std::vector<std::string>{"float", "json", "text"}));
  EXPECT_TRUE(t->rows[0][2].is_null());
  EXPECT_EQ(t->RowsJson().as_array()[1].Find("extra")->as_string(), "x");
}

TEST(Tabular, NewlineDelimitedJson) {
  Result<Tabular> t = ParseTabular("{\"a\": 1}\n{\"a\": 2}\n", std::nullopt);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->format, TabularFormat::kNdjson);
  EXPECT_EQ(t->rows.size(), 2u);
}

TEST(Tabular, ClearErrors) {
  EXPECT_EQ(ParseTabular("a,a\n1,2\n", std::nullopt).status().message(),
            "Duplicate column name: a");
  EXPECT_EQ(ParseTabular("a,b\n1,2,3\n", std::nullopt).status().message(),
            "Row 1 has 3 values but there are 2 columns");
  EXPECT_EQ(ParseTabular("a\n\"open\n", std::nullopt).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTabular("[1, 2]", std::nullopt).status().message(),
            "Line 1: each record must be a JSON object, got: 1");
  EXPECT_EQ(ParseTabular("", std::nullopt).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTabular("a\n1\n2\n3\n", std::nullopt, 2).status().message(),
            "Too many rows: at most 2");
}

}  // namespace
}  // namespace almanac::ingest
