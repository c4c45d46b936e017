// The streaming CSV reader: Python csv's rules, records split across read chunks, line numbers.
#include "ingest/csv_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace almanac::ingest {
namespace {

using Records = std::vector<std::vector<std::string>>;

// A source that hands out at most `step` bytes per read, to split records across chunks.
class Trickle : public ByteSource {
 public:
  Trickle(std::string text, size_t step) : text_(std::move(text)), step_(step) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::min({capacity, step_, text_.size() - position_});
    text_.copy(buffer, n, position_);
    position_ += n;
    return n;
  }
  Status Rewind() override {
    position_ = 0;
    return Status::Ok();
  }
  std::optional<uint64_t> size() const override { return text_.size(); }

 private:
  std::string text_;
  size_t step_;
};

Result<Records> ReadAll(ByteSource& source, CsvDialect dialect = {},
                        std::vector<uint64_t>* lines = nullptr) {
  CsvReader reader(source, dialect);
  Records out;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    out.emplace_back(reader.fields().begin(), reader.fields().end());
    if (lines) lines->push_back(reader.line());
  }
  return out;
}

Result<Records> Parse(const std::string& text, size_t step = 1 << 20, CsvDialect dialect = {}) {
  Trickle source(text, step);
  return ReadAll(source, dialect);
}

TEST(CsvReader, PythonCsvRules) {
  std::string text =
      "\xEF\xBB\xBFid,name,note\r\n"
      "1,\"Cleo, the dog\",\"say \"\"hi\"\"\"\r\n"
      "2,\"two\r\nlines\",\"ab\"c\r\n"
      "\r\n"
      "3,x\"y,\r\n"
      "4,,last";
  Records want = {{"id", "name", "note"},
                  {"1", "Cleo, the dog", "say \"hi\""},
                  {"2", "two\nlines", "abc"},
                  {"3", "x\"y", ""},
                  {"4", "", "last"}};
  // Whole, and split at every possible place.
  for (size_t step : {size_t{1} << 20, size_t{1}, size_t{2}, size_t{3}, size_t{7}}) {
    Result<Records> got = Parse(text, step);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, want) << "step " << step;
  }
}

TEST(CsvReader, LineNumbersCountQuotedNewlinesAndBlankLines) {
  Trickle source("a,b\n\"x\ny\",1\n\n\n2,3\n", 4);
  std::vector<uint64_t> lines;
  Result<Records> got = ReadAll(source, {}, &lines);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 2, 6}));
}

TEST(CsvReader, TsvAndOtherQuoteCharacters) {
  Result<Records> got = Parse("a\tb\n'x\ty'\t2\n", 3, CsvDialect{'\t', '\''});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Records{{"a", "b"}, {"x\ty", "2"}}));
}

TEST(CsvReader, EmptyInputsAndTrailingDelimiters) {
  EXPECT_EQ(*Parse(""), Records{});
  EXPECT_EQ(*Parse("\n\r\n"), Records{});
  EXPECT_EQ(*Parse("a,"), (Records{{"a", ""}}));
  EXPECT_EQ(*Parse("a\r"), (Records{{"a"}}));
  EXPECT_EQ(*Parse("\"\""), (Records{{""}}));
}

TEST(CsvReader, ErrorsNameTheLine) {
  EXPECT_EQ(Parse("a\n1\n\"open\n2\n").status().message(),
            "Line 3: a quoted field is never closed");
  Result<Records> bad = Parse("a\nok\ncaf\xE9\n", 2);
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(bad.status().message().starts_with("Line 3: the input is not valid UTF-8"));
}

TEST(CsvReader, LongRecordsGrowTheBuffer) {
  std::string big(3 << 20, 'x');
  Result<Records> got = Parse("a,b\n\"" + big + "\",1\n", 1 << 16);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)[1][0].size(), big.size());
}

TEST(CsvReader, RewindReadsAgain) {
  auto source = StringViewSource("a\n1\n");
  CsvReader reader(*source, {});
  ASSERT_TRUE(*reader.Next());
  ASSERT_TRUE(*reader.Next());
  EXPECT_FALSE(*reader.Next());
  ASSERT_TRUE(reader.Rewind().ok());
  ASSERT_TRUE(*reader.Next());
  EXPECT_EQ(reader.fields()[0], "a");
}

TEST(CsvReader, TranscodesLatin1) {
  auto source = Transcode(StringSource("name\ncaf\xE9\n"), "latin-1");
  ASSERT_TRUE(source.ok());
  Result<Records> got = ReadAll(**source);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)[1][0], "caf\xC3\xA9");
  EXPECT_EQ(Transcode(StringSource(""), "no-such-codec").status().message(),
            "Unknown encoding: no-such-codec");
  for (const char* name : {"cp1252", "windows-1252", "iso-8859-15", "utf-16", "latin1", "ascii"}) {
    EXPECT_TRUE(Transcode(StringSource(""), name).ok()) << name;
  }
}

TEST(CsvReader, SniffsDelimiterAndQuote) {
  EXPECT_EQ(SniffDialect("a;b;c\n1;2;3\n4;5;6\n")->delimiter, ';');
  EXPECT_EQ(SniffDialect("a\tb\n1\t2\n")->delimiter, '\t');
  EXPECT_EQ(SniffDialect("a|b\n'x|y'|2\n")->quote, '\'');
  EXPECT_EQ(SniffDialect("a,b\n1,\"2,3\"\n")->delimiter, ',');
  EXPECT_FALSE(SniffDialect("justone\nword\n").has_value());
}

}  // namespace
}  // namespace almanac::ingest
