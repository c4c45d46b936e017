// The pure parts of the client: Python-compatible text, output formats, record framing,
// origins, dclient's URL-prefix token matching and login scopes.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "client/commands.h"
#include "client/config_store.h"
#include "client/python_text.h"
#include "client/record_framer.h"
#include "client/row_output.h"
#include "client/row_source.h"
#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;

JsonValue Parse(const std::string& text) { return format::ParseJson(text).value(); }

TEST(PythonText, JsonDumpsWithAndWithoutIndent) {
  JsonValue v = Parse(R"({"a": [1, 2.5, null, true], "b": {}, "c": [], "d": "caf\u00e9"})");
  EXPECT_EQ(PyJsonDumps(v), R"({"a": [1, 2.5, null, true], "b": {}, "c": [], "d": "caf\u00e9"})");
  EXPECT_EQ(PyJsonDumps(v, 2),
            "{\n  \"a\": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n  \"b\": {},\n"
            "  \"c\": [],\n  \"d\": \"caf\\u00e9\"\n}");
  EXPECT_EQ(PyJsonDumps(Parse("1e20")), "1e+20");
  EXPECT_EQ(PyJsonDumps(Parse("100.0")), "100.0");
}

TEST(PythonText, StrAndRepr) {
  EXPECT_EQ(PyStr(JsonValue()), "None");
  EXPECT_EQ(PyStr(JsonValue::Bool(true)), "True");
  EXPECT_EQ(PyStr(JsonValue::Double(1.0)), "1.0");
  EXPECT_EQ(PyStr(Parse(R"({"$base64": true, "encoded": "AP8="})")),
            "{'$base64': True, 'encoded': 'AP8='}");
  EXPECT_EQ(PyRepr(JsonValue::String("it's")), "\"it's\"");
  EXPECT_EQ(PyRepr(JsonValue::String("a'b\"c\n")), "'a\\'b\"c\\n'");
  EXPECT_EQ(PyStr(Parse(R"([1, "x", null])")), "[1, 'x', None]");
  EXPECT_EQ(CodePoints("caf\xc3\xa9"), 4u);
}

std::string Print(OutputFormat format, const std::string& rows_json,
                  std::vector<std::string> columns = {}) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  RowPrinter printer(format, out);
  if (!columns.empty()) printer.SetColumns(columns);
  JsonValue rows = Parse(rows_json);
  for (const JsonValue& row : rows.as_array()) printer.Add(row);
  printer.Finish();
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);  // NOLINT(cppcoreguidelines-no-malloc): open_memstream's buffer
  return text;
}

TEST(RowPrinter, DclientFormats) {
  std::string rows = R"([{"a": 1, "b": "x,y"}, {"a": null, "b": ""}])";
  EXPECT_EQ(Print(OutputFormat::kJson, rows),
            "[\n  {\n    \"a\": 1,\n    \"b\": \"x,y\"\n  },\n  {\n    \"a\": null,\n"
            "    \"b\": \"\"\n  }\n]\n");
  EXPECT_EQ(Print(OutputFormat::kNl, rows),
            "{\"a\": 1, \"b\": \"x,y\"}\n{\"a\": null, \"b\": \"\"}\n");
  EXPECT_EQ(Print(OutputFormat::kCsv, rows), "a,b\r\n1,\"x,y\"\r\nNone,\r\n");
  EXPECT_EQ(Print(OutputFormat::kTsv, rows), "a\tb\r\n1\tx,y\r\nNone\t\r\n");
  EXPECT_EQ(Print(OutputFormat::kTable, rows), "a     b  \n----  ---\n1     x,y\nNone     \n");
  EXPECT_EQ(Print(OutputFormat::kJson, "[]"), "[]\n");
  EXPECT_EQ(Print(OutputFormat::kCsv, "[]"), "");
  EXPECT_EQ(Print(OutputFormat::kCsv, "[]", {"x"}), "x\r\n");
  EXPECT_EQ(Print(OutputFormat::kCsv, R"([{"x": ""}])"), "x\r\n\"\"\r\n");
}

TEST(RecordFramer, CsvRecordsMayHoldNewlinesInQuotes) {
  RecordFramer csv(',');
  size_t end = 0;
  std::string text = "a,b\n\"x\ny\",2\n3,\"4";
  EXPECT_EQ(csv.Count(text, 10, &end, false), 2u);
  EXPECT_EQ(end, 12u);
  EXPECT_EQ(csv.Count(text, 10, &end, true), 3u);
  EXPECT_EQ(end, text.size());
  EXPECT_EQ(csv.Count("a\r", 10, &end, false), 0u);           // "\r" may be half of "\r\n"
  EXPECT_EQ(csv.Count("a\r\n\n\nb\n", 10, &end, false), 2u);  // blank lines are not records
  RecordFramer lines(0);
  EXPECT_EQ(lines.Count("{\"a\": \"\\\"\"}\n{}", 10, &end, false), 1u);
}

TEST(UrlParts, OriginsAndPaths) {
  EXPECT_EQ(Origin("https://Example.com/a?b"), "https://example.com:443");
  EXPECT_EQ(Origin("http://user:pw@h:8001/x"), "http://h:8001");
  EXPECT_EQ(Origin("http://[::1]:9/"), "http://[::1]:9");
  EXPECT_EQ(Origin("ftp://h/"), "");
  EXPECT_NE(Origin("http://h/"), Origin("https://h/"));
  EXPECT_EQ(JoinUrl("http://h/base//", "/db.json"), "http://h/base/db.json");
  EXPECT_EQ(PathSegment("extra database"), "/extra+database");
  EXPECT_EQ(PathSegment("a/b.c"), "/a~2Fb~2Ec");
}

TEST(ConfigStore, DclientUrlPrefixMatching) {
  EXPECT_TRUE(UrlMatchesPrefix("https://h/db/t.json", "https://h/db"));
  EXPECT_TRUE(UrlMatchesPrefix("https://h/db.json", "https://h/db"));
  EXPECT_TRUE(UrlMatchesPrefix("https://h", "https://h"));
  EXPECT_FALSE(UrlMatchesPrefix("https://h/dbx", "https://h/db"));
  EXPECT_FALSE(UrlMatchesPrefix("http://h/db", "https://h/db"));
  EXPECT_FALSE(UrlMatchesPrefix("https://h.evil/db", "https://h"));
}

TEST(Login, ScopesAsDclientMergesThem) {
  LoginOptions options;
  EXPECT_EQ(MergeScopes(options).value(), "");
  options.scope = R"([["view-instance"]])";
  options.read = {"db1"};
  options.write = {"db3/dogs"};
  std::string scopes = MergeScopes(options).value();
  EXPECT_TRUE(scopes.starts_with(R"([["view-instance"], ["view-instance", "db1"], )"));
  EXPECT_NE(scopes.find(R"(["drop-table", "db3", "dogs"])"), std::string::npos);
  options.scope = "{}";
  EXPECT_FALSE(MergeScopes(options).ok());
}

TEST(RowSource, DecodesPythonEncodingNames) {
  EXPECT_EQ(DecodeText("Jos\xe9", std::string("latin-1")).value(), "Jos\xc3\xa9");
  EXPECT_EQ(DecodeText("\xef\xbb\xbfhi", std::nullopt).value(), "hi");
  EXPECT_FALSE(DecodeText("x", std::string("no-such-encoding")).ok());
}

}  // namespace
}  // namespace almanac::client
