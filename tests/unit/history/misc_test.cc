#include <gtest/gtest.h>

#include "history/importer.h"
#include "history/progress.h"
#include "history/versions.h"

namespace almanac::history {
namespace {

TEST(IsoCommitTime, WritesTheCommittersOffsetAsPythonDoes) {
  // 2021-01-01T04:30:00Z
  EXPECT_EQ(IsoCommitTime(1609475400, 330), "2021-01-01T10:00:00+05:30");
  EXPECT_EQ(IsoCommitTime(1609475400, -420), "2020-12-31T21:30:00-07:00");
  EXPECT_EQ(IsoCommitTime(1609475400, 0), "2021-01-01T04:30:00+00:00");
  EXPECT_EQ(IsoCommitTime(0, -210), "1969-12-31T20:30:00-03:30");
  EXPECT_EQ(IsoCommitTime(951782400, 0), "2000-02-29T00:00:00+00:00");
}

TEST(ProgressBar, Line) {
  EXPECT_EQ(ProgressBar::Line(0, 10, 0, "commits"), "[..............................]  0/10  0%");
  EXPECT_EQ(ProgressBar::Line(2500, 10000, 2, "commits"),
            "[#######.......................]  2,500/10,000  25%  1,250 commits/s  ETA 0:06");
  EXPECT_EQ(WithCommas(1234567), "1,234,567");
  EXPECT_EQ(WithCommas(-1000), "-1,000");
}

TEST(VersionParser, JsonVersionsAreValidatedWhole) {
  auto parser = std::move(VersionParser::Create(ParseOptions{}).value());
  EXPECT_EQ(parser->Parse("\xEF\xBB\xBF[{\"a\": 1}]")->spans.size(), 1u);  // BOM skipped
  Result<VersionItems> broken = parser->Parse("[{\"a\": 1}, {\"b\": tru}]");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message().rfind("Invalid JSON: ", 0), 0u);
  EXPECT_TRUE(IsBlank(" \n\t"));
  EXPECT_FALSE(IsBlank(" []"));
}

TEST(VersionParser, ConvertRowsBecomeItems) {
  ParseOptions options;
  options.format = InputFormat::kSql;
  options.convert_sql =
      "select value ->> 'id' as id, upper(value ->> 'n') as n from json_each(:content)";
  auto parser = std::move(VersionParser::Create(options).value());
  Result<VersionItems> items = parser->Parse(R"([{"id": 1, "n": "a"}, {"id": 2.5, "n": "bé"}])");
  ASSERT_EQ(items->spans.size(), 2u);
  EXPECT_EQ(items->spans[1], R"({"id": 2.5, "n": "Bé"})");  // SQLite upper() is ASCII-only
  EXPECT_EQ(items->spans[1].data(), items->text->data() + items->spans[0].size());
  options.convert_sql = "select :other";
  EXPECT_FALSE(VersionParser::Create(options).ok());
}

TEST(VersionParser, CsvRecordsBecomeItemsOfText) {
  ParseOptions options;
  options.format = InputFormat::kCsv;
  auto parser = std::move(VersionParser::Create(options).value());
  // BOM skipped, semicolons sniffed, a short record's values null, an empty value past the
  // header dropped.
  Result<VersionItems> items = parser->Parse("\xEF\xBB\xBFid;note;n\r\n1;a;5\r\n2;x;\r\n3\r\n");
  ASSERT_TRUE(items.ok()) << items.status().message();
  ASSERT_EQ(items->spans.size(), 3u);
  EXPECT_EQ(items->spans[0], R"({"id": "1", "note": "a", "n": "5"})");
  EXPECT_EQ(items->spans[1], R"({"id": "2", "note": "x", "n": ""})");
  EXPECT_EQ(items->spans[2], R"({"id": "3", "note": null, "n": null})");
  Result<VersionItems> extra = parser->Parse("id,n\n1,2,3\n");
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().message(), "CSV line 2 has 3 values but the header names 2 columns");
  EXPECT_EQ(parser->Parse("id,n\n1,2,\n")->spans.size(), 1u);
  EXPECT_EQ(parser->Parse("id,n\n")->spans.size(), 0u);
  options.dialect = "excel";  // a quoted line ending stays as written
  auto commas = std::move(VersionParser::Create(options).value());
  EXPECT_EQ(commas->Parse("a,b\r\n\"x\r\ny\",2\r\n")->spans[0], R"({"a": "x\r\ny", "b": "2"})");
  options.dialect = "excel-tab";
  auto tabs = std::move(VersionParser::Create(options).value());
  EXPECT_EQ(tabs->Parse("a,b\tc\n1,2\t3\n")->spans[0], R"({"a,b": "1,2", "c": "3"})");
}

}  // namespace
}  // namespace almanac::history
