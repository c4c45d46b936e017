#include "history/items.h"

#include <gtest/gtest.h>

#include "history/python_json.h"

namespace almanac::history {
namespace {

using format::JsonValue;

JsonValue Parse(std::string_view text) { return *format::ParseJson(text); }

// The expected strings below were printed by git-history 0.7a0's own helpers (_hash and
// jsonify_all in git_history/cli.py) on Python 3.11.
TEST(PyJson, MatchesJsonDumpsWithSortedKeys) {
  JsonValue v = Parse(R"({"b": [1, {"y": "é", "x": null}], "a": 5.0, "c": true,
                          "d": "x\"\\\n\u2028😀"})");
  EXPECT_EQ(
      PyJson(v, PyJsonStyle::kHash),
      R"({"a":5.0,"b":[1,{"x":null,"y":"\u00e9"}],"c":true,"d":"x\"\\\n\u2028\ud83d\ude00"})");
  EXPECT_EQ(Sha1Hex(PyJson(v, PyJsonStyle::kHash)), "03c78743b636c97c6236fc6f652e6fedd980de72");
  EXPECT_EQ(PyJson(Parse(R"({"z": [1, 2.5, "é"], "a": {"k": false}})"), PyJsonStyle::kCell),
            R"({"a": {"k": false}, "z": [1, 2.5, "é"]})");
}

TEST(PyJson, FloatsAsPythonReprAndRepeatedKeysKeepTheLast) {
  EXPECT_EQ(PyJson(Parse("[1e16, 0.30000000000000004, -0.0, 1e-7, 100]"), PyJsonStyle::kCell),
            "[1e+16, 0.30000000000000004, -0.0, 1e-07, 100]");
  EXPECT_EQ(PyJson(Parse(R"({"a": 1, "b": 2, "a": 3})"), PyJsonStyle::kHash), R"({"a":3,"b":2})");
}

TEST(Items, IdHashIsGitHistorys) {
  ItemRules rules{{"product_id"}, {}};
  Item item = *CleanItem(Parse(R"({"product_id": 1, "name": "Gin"})"), rules);
  EXPECT_EQ(View(*ItemIdHash(item, rules)), "f14b9b9f6dab0b7b40483f9babec04e3deb577f5");
  // From tests/git_history/expected/scrape_id.json (item 1's first version).
  Item gin = *CleanItem(Parse(R"({"id": 1, "name": "Gin", "price": 10, "tags": ["a"]})"), rules);
  Item reordered =
      *CleanItem(Parse(R"({"tags": ["a"], "price": 10, "name": "Gin", "id": 1})"), rules);
  EXPECT_EQ(ItemFullHash(gin), ItemFullHash(reordered));
}

TEST(Items, MissingIdIsAnError) {
  ItemRules rules{{"id"}, {}};
  Item item = *CleanItem(Parse(R"({"name": "x"})"), rules);
  Result<HexDigest> id = ItemIdHash(item, rules);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().message(), "an item has no \"id\" (an --id column)");
}

TEST(Items, ReservedNamesGetAnUnderscore) {
  EXPECT_EQ(ColumnNameFor("_id"), "_id_");
  EXPECT_EQ(ColumnNameFor("_commit__"), "_commit___");
  EXPECT_EQ(ColumnNameFor("rowid"), "rowid_");
  EXPECT_EQ(ColumnNameFor("_ID"), "_ID_");  // SQLite would take it for _id
  EXPECT_EQ(ColumnNameFor("_idx"), "_idx");
  EXPECT_EQ(ColumnNameFor("id"), "id");
  EXPECT_FALSE(IsReservedColumn("_"));
}

TEST(Items, CleanItemIgnoresNormalisesAndDropsCaseTwins) {
  JsonValue v = Parse(R"({"a": 1, "noise": 2, "cafe\u0301": 3, "A": 4, "a": 5, "_item": 6})");
  Item item = *CleanItem(std::move(v), ItemRules{{}, {"noise"}});
  ASSERT_EQ(item.fields.size(), 3u);
  EXPECT_EQ(item.fields[0].first, "a");
  EXPECT_EQ(item.fields[0].second.as_int(), 5);  // the repeated key's last value
  EXPECT_EQ(item.fields[1].first, "caf\u00e9");  // NFC
  EXPECT_EQ(item.fields[2].first, "_item_");
  EXPECT_EQ(item.dropped, std::vector<std::string>{"A"});
}

TEST(Items, NonObjectIsLeftUntouched) {
  JsonValue v = Parse("[1, 2]");
  Result<Item> item = CleanItem(std::move(v), ItemRules{});
  EXPECT_FALSE(item.ok());
  EXPECT_EQ(v.as_array().size(), 2u);
}

TEST(Items, CellValuesAndTypes) {
  EXPECT_EQ(CellValue(Parse("true")), Value::Integer(1));
  EXPECT_EQ(CellValue(Parse("2.5")), Value::Real(2.5));
  EXPECT_EQ(CellValue(Parse(R"({"b": 1, "a": [true]})")), Value::Text(R"({"a": [true], "b": 1})"));
  EXPECT_EQ(CellType(Parse("false")), "INTEGER");
  EXPECT_EQ(CellType(Parse("1.0")), "REAL");
  EXPECT_EQ(CellType(Parse("[]")), "TEXT");
  EXPECT_EQ(CellType(Parse("null")), "");
}

TEST(Items, SameCellValueFollowsPythonEquality) {
  EXPECT_TRUE(SameCellValue(Value::Real(5.0), Value::Integer(5)));
  EXPECT_TRUE(SameCellValue(Value::Integer(5), Value::Real(5.0)));
  EXPECT_FALSE(SameCellValue(Value::Real(5.5), Value::Integer(5)));
  EXPECT_FALSE(SameCellValue(Value::Integer(5), Value::Text("5")));
  EXPECT_TRUE(SameCellValue(Value::Null(), Value::Null()));
  EXPECT_FALSE(SameCellValue(Value::Null(), Value::Text("")));
  EXPECT_FALSE(SameCellValue(Value::Real(1e300), Value::Integer(0)));
  EXPECT_FALSE(SameCellValue(Value::Integer(9007199254740993), Value::Real(9007199254740992.0)));
}

}  // namespace
}  // namespace almanac::history
