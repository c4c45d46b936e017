// The streaming JSON record reader: arrays and newline-delimited objects, split across chunks.
#include "ingest/json_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace almanac::ingest {
namespace {

struct Read {
  std::vector<std::string> records;  // each as JSON text
  std::vector<uint64_t> lines;
};

Result<Read> ReadAll(const std::string& text,
                     JsonReader::Layout layout = JsonReader::Layout::kAuto) {
  auto source = StringSource(text);
  JsonReader reader(*source, layout);
  Read out;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    out.records.push_back(format::ToJsonText(reader.record()));
    out.lines.push_back(reader.line());
  }
  return out;
}

TEST(JsonReader, ArrayOfObjects) {
  Result<Read> got =
      ReadAll("\xEF\xBB\xBF [\n {\"a\": \"x]}\\\"\", \"b\": [1, {\"c\": 2}]},\n{\"a\": null}\n]\n");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->records,
            (std::vector<std::string>{R"({"a": "x]}\"", "b": [1, {"c": 2}]})", R"({"a": null})"}));
  EXPECT_EQ(got->lines, (std::vector<uint64_t>{2, 3}));
}

TEST(JsonReader, NewlineDelimitedAndSingleObject) {
  Result<Read> got = ReadAll("{\"a\": 1}\n\n{\"a\": 2}\r\n");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->records.size(), 2u);
  EXPECT_EQ(got->lines, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(ReadAll("{\"only\": true}")->records.size(), 1u);
  EXPECT_EQ(ReadAll("")->records.size(), 0u);
  EXPECT_EQ(ReadAll("[]")->records.size(), 0u);
}

TEST(JsonReader, BigArraysStreamAcrossChunks) {
  std::string text = "[";
  for (int i = 0; i < 50000; ++i) {
    text += (i ? ",\n" : "") + std::string("{\"id\": ") + std::to_string(i) + ", \"pad\": \"" +
            std::string(40, 'p') + "\"}";
  }
  text += "]";
  Result<Read> got = ReadAll(text);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->records.size(), 50000u);
  EXPECT_EQ(got->lines.back(), 50000u);
}

TEST(JsonReader, ErrorsNameTheLine) {
  EXPECT_EQ(ReadAll("[{\"a\": 1},\n 2]").status().message(),
            "Line 2: each record must be a JSON object, got: 2");
  EXPECT_EQ(ReadAll("[{\"a\": 1}").status().message(), "Line 1: the JSON array is never closed");
  EXPECT_EQ(ReadAll("[{\"a\": 1},]").status().message(), "Line 1: a trailing comma in the array");
  EXPECT_EQ(ReadAll("{\"a\": 1}\n{\"a\": }\n").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(
      ReadAll("{\"a\": 1}\n{\"a\": }\n").status().message().starts_with("Line 2: Invalid JSON"));
  EXPECT_EQ(ReadAll("{\"a\": 1").status().message(), "Line 1: the JSON is truncated");
  EXPECT_EQ(ReadAll("[{\"a\": 1}] x").status().message(),
            "Line 1: unexpected text after the JSON array");
}

}  // namespace
}  // namespace almanac::ingest
