#include "format/csv_writer.h"

#include <limits>

#include <gtest/gtest.h>

namespace almanac::format {
namespace {

// Expected strings below were produced by Python 3.11's csv.writer with default settings.

TEST(CsvWriter, QuotesOnlyFieldsWithDelimiterQuoteOrLineBreaks) {
  std::string out;
  CsvWriter w(out);
  w.Text("a");
  w.Text("b,c");
  w.Text("d\"e");
  w.Text("f\ng");
  w.Text("h\ri");
  w.EndRow();
  EXPECT_EQ(out, "a,\"b,c\",\"d\"\"e\",\"f\ng\",\"h\ri\"\r\n");
}

TEST(CsvWriter, EndsRowsWithCrLf) {
  std::string out;
  CsvWriter w(out);
  w.Text("id");
  w.Text("name");
  w.EndRow();
  w.Integer(1);
  w.Text("x");
  w.EndRow();
  EXPECT_EQ(out, "id,name\r\n1,x\r\n");
}

TEST(CsvWriter, WritesNullAsEmptyAndLoneEmptyFieldAsQuotes) {
  std::string out;
  CsvWriter w(out);
  w.Null();
  w.EndRow();  // one empty field: ""
  w.Text("");
  w.EndRow();
  w.Null();
  w.Null();
  w.EndRow();  // two empty fields: just the delimiter
  w.EndRow();  // no fields at all
  EXPECT_EQ(out, "\"\"\r\n\"\"\r\n,\r\n\r\n");
}

TEST(CsvWriter, WritesFloatsAsPythonStr) {
  std::string out;
  CsvWriter w(out);
  w.Real(1.0);
  w.Real(0.1 + 0.2);
  w.Real(1e16);
  w.Real(1e-5);
  w.Real(std::numeric_limits<double>::infinity());
  w.Real(-0.0);
  w.Integer(123456789012345678);
  w.Integer(std::numeric_limits<int64_t>::min());
  w.EndRow();
  EXPECT_EQ(out,
            "1.0,0.30000000000000004,1e+16,1e-05,inf,-0.0,123456789012345678,"
            "-9223372036854775808\r\n");
}

TEST(CsvWriter, PassesUnicodeSpacesAndTabsThrough) {
  std::string out;
  CsvWriter w(out);
  w.Text("h\xC3\xA9llo \xE2\x9C\x93");
  w.Text(" lead");
  w.Text("tab\there");
  w.EndRow();
  EXPECT_EQ(out, "h\xC3\xA9llo \xE2\x9C\x93, lead,tab\there\r\n");
}

TEST(CsvWriter, DoublesEveryQuote) {
  std::string out;
  CsvWriter w(out);
  w.Text("\"");
  w.EndRow();
  w.Text("\"a\"\"b\"");
  w.EndRow();
  EXPECT_EQ(out, "\"\"\"\"\r\n\"\"\"a\"\"\"\"b\"\"\"\r\n");
}

TEST(CsvWriter, RetargetContinuesInAnotherBuffer) {
  std::string first;
  std::string second;
  CsvWriter w(first);
  w.Text("a");
  w.EndRow();
  w.Retarget(second);
  w.Null();
  w.EndRow();
  EXPECT_EQ(first, "a\r\n");
  EXPECT_EQ(second, "\"\"\r\n");
}

}  // namespace
}  // namespace almanac::format
