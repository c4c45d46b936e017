#include "ui/cells.h"

#include <gtest/gtest.h>

#include "ui/html.h"
#include "ui/json_html.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

TEST(Cells, NullIsAnEmptyCell) {
  EXPECT_EQ(CellHtml(Value::Null(), {}), "<span class=\"null\">&nbsp;</span>");
}

TEST(Cells, TextIsEscaped) {
  EXPECT_EQ(CellHtml(Value::Text("<script>\"x\" & 'y'</script>"), {}),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;");
}

TEST(Cells, NumbersUsePythonRepr) {
  EXPECT_EQ(CellHtml(Value::Integer(42), {}), "42");
  EXPECT_EQ(CellHtml(Value::Real(100.0), {}), "100.0");
  EXPECT_TRUE(IsNumeric(Value::Real(1.5)));
  EXPECT_FALSE(IsNumeric(Value::Text("1")));
}

TEST(Cells, BlobShowsItsSizeAndLinksWhenItCan) {
  EXPECT_EQ(CellHtml(Value::BlobOf("abc"), {}),
            "<span class=\"blob\">&lt;Binary:&nbsp;3&nbsp;bytes&gt;</span>");
  CellOptions options;
  options.blob_href = "/db/t/1.blob?_blob_column=a\"b";
  EXPECT_EQ(CellHtml(Value::BlobOf("x"), options),
            "<a class=\"blob\" href=\"/db/t/1.blob?_blob_column=a&quot;b\">"
            "&lt;Binary:&nbsp;1&nbsp;byte&gt;</a>");
}

TEST(Cells, HttpUrlsBecomeLinksOthersDoNot) {
  EXPECT_EQ(CellHtml(Value::Text("https://example.com/a?b=1&c=2"), {}),
            "<a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow\">"
            "https://example.com/a?b=1&amp;c=2</a>");
  EXPECT_EQ(CellHtml(Value::Text("javascript:alert(1)"), {}), "javascript:alert(1)");
  // Quotes or spaces make it text, never an attribute breakout.
  EXPECT_EQ(CellHtml(Value::Text("https://x.com/\"><script>"), {}),
            "https://x.com/&quot;&gt;&lt;script&gt;");
}

TEST(Cells, TruncationCountsCharactersNotBytes) {
  bool truncated = false;
  EXPECT_EQ(TruncateUtf8("K\xc4\x81k\xc4\x81p\xc5\x8d", 3, &truncated), "K\xc4\x81k");
  EXPECT_TRUE(truncated);
  EXPECT_EQ(TruncateUtf8("short", 10, &truncated), "short");
  EXPECT_FALSE(truncated);
  EXPECT_EQ(TruncateUtf8("anything", 0, &truncated), "anything");
  CellOptions options;
  options.truncate = 4;
  EXPECT_EQ(CellHtml(Value::Text("<<<<<<"), options), "&lt;&lt;&lt;&lt;\u2026");
}

TEST(Html, CssStringCannotCloseTheStringOrTheStyleElement) {
  EXPECT_EQ(CssString("plain name_1-2"), "plain name_1-2");
  EXPECT_EQ(CssString("a\"b</style>"), "a\\22 b\\3c \\2f style\\3e ");
  EXPECT_EQ(CssString("x\\y\n"), "x\\5c y\\a ");
}

TEST(Html, CssClassIsSafeAndDistinct) {
  EXPECT_EQ(CssClass("facetable"), "facetable");
  std::string odd = CssClass("Table With Space");
  EXPECT_EQ(odd.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"), std::string::npos);
  EXPECT_NE(CssClass("a b"), CssClass("a-b"));
}

TEST(Html, FormatCountGroupsThousands) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(-1234), "-1,234");
  EXPECT_EQ(Plural(1, "row", "rows"), "1 row");
  EXPECT_EQ(Plural(10001, "row", "rows"), "10,001 rows");
}

TEST(Html, JsonToHtmlEscapesKeysAndValues) {
  format::JsonValue doc = format::JsonValue::MakeObject();
  doc.Set("<k>", format::JsonValue::String("<v>"));
  std::string html = JsonToHtml(doc);
  EXPECT_NE(html.find("<dt>&lt;k&gt;</dt>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;v&gt;"), std::string::npos) << html;
  EXPECT_EQ(html.find("<k>"), std::string::npos);
}

}  // namespace
}  // namespace almanac::ui
