#include "sql/filters.h"

#include <gtest/gtest.h>

namespace almanac::sql {
namespace {

const Identifier kTable = Identifier::FromSchema("facetable");

// The columns of a small table: state, pk, "odd name" (and nothing else).
std::optional<Identifier> Lookup(std::string_view name) {
  if (name == "state" || name == "pk" || name == "odd name" || name == "tags") {
    return Identifier::FromSchema(std::string(name));
  }
  return std::nullopt;
}

Query Build(const std::string& column, FilterOp op, const std::string& value,
            std::vector<Value> list = {}) {
  Result<Query> q = BuildFilterClause({column, op, value, std::move(list)}, kTable, Lookup);
  EXPECT_TRUE(q.ok()) << q.status().message();
  return q.ok() ? *q : Query{};
}

TEST(Filters, ExactBindsTheValueAsText) {
  Query q = Build("state", FilterOp::kExact, "CA");
  EXPECT_EQ(q.text, "state = ?");
  EXPECT_EQ(q.params, std::vector<Value>{Value::Text("CA")});
}

TEST(Filters, QuotesNamesThatNeedIt) {
  Query q = Build("odd name", FilterOp::kNot, "x");
  EXPECT_EQ(q.text, "\"odd name\" != ?");
}

TEST(Filters, LikeOperatorsWrapTheValue) {
  EXPECT_EQ(Build("state", FilterOp::kContains, "a").params[0], Value::Text("%a%"));
  EXPECT_EQ(Build("state", FilterOp::kNotContains, "a").text, "state not like ?");
  EXPECT_EQ(Build("state", FilterOp::kStartsWith, "a").params[0], Value::Text("a%"));
  EXPECT_EQ(Build("state", FilterOp::kEndsWith, "a").params[0], Value::Text("%a"));
  EXPECT_EQ(Build("state", FilterOp::kLike, "a_%").params[0], Value::Text("a_%"));
  EXPECT_EQ(Build("state", FilterOp::kGlob, "*a").text, "state glob ?");
}

TEST(Filters, ComparisonsBindDigitsAsIntegers) {
  Query q = Build("pk", FilterOp::kGt, "12");
  EXPECT_EQ(q.text, "pk > ?");
  EXPECT_EQ(q.params[0], Value::Integer(12));
  EXPECT_EQ(Build("pk", FilterOp::kLte, "2019-01-16").params[0], Value::Text("2019-01-16"));
  EXPECT_EQ(Build("pk", FilterOp::kGte, "-1").params[0], Value::Text("-1"));
  // Too large for an integer: compared as text, not wrapped.
  EXPECT_EQ(Build("pk", FilterOp::kLt, "99999999999999999999").params[0],
            Value::Text("99999999999999999999"));
}

TEST(Filters, InListBindsEveryValue) {
  Query q = Build("state", FilterOp::kIn, "", {Value::Text("CA"), Value::Integer(3)});
  EXPECT_EQ(q.text, "state in (?, ?)");
  EXPECT_EQ(q.params.size(), 2u);
  EXPECT_EQ(Build("state", FilterOp::kNotIn, "", {Value::Text("x")}).text, "state not in (?)");
  EXPECT_EQ(Build("state", FilterOp::kIn, "", {}).text, "state in ()");
}

TEST(Filters, ArrayContainsUsesJsonEachOnTheQualifiedColumn) {
  Query q = Build("tags", FilterOp::kArrayContains, "tag1");
  EXPECT_EQ(q.text, "? in (select value from json_each(facetable.tags))");
  EXPECT_EQ(q.params, std::vector<Value>{Value::Text("tag1")});
  EXPECT_EQ(Build("tags", FilterOp::kArrayNotContains, "t").text,
            "? not in (select value from json_each(facetable.tags))");
}

TEST(Filters, NoArgumentOperatorsBindNothing) {
  EXPECT_EQ(Build("state", FilterOp::kIsNull, "1").text, "state is null");
  EXPECT_EQ(Build("state", FilterOp::kNotNull, "1").text, "state is not null");
  EXPECT_EQ(Build("state", FilterOp::kIsBlank, "").text, "(state is null or state = '')");
  EXPECT_EQ(Build("state", FilterOp::kNotBlank, "").text, "(state is not null and state != '')");
  EXPECT_TRUE(Build("state", FilterOp::kNotBlank, "").params.empty());
}

TEST(Filters, DateComparesTheDatePart) {
  Query q = Build("state", FilterOp::kDate, "2019-01-15");
  EXPECT_EQ(q.text, "date(state) = ?");
  EXPECT_EQ(q.params[0], Value::Text("2019-01-15"));
}

TEST(Filters, UnknownColumnIsBoundAsAValueNotWrittenAsSql) {
  Query q = Build("nope\" or 1=1 --", FilterOp::kExact, "1");
  EXPECT_EQ(q.text, "? = ?");
  EXPECT_EQ(q.params[0], Value::Text("nope\" or 1=1 --"));
  EXPECT_EQ(Build("nope", FilterOp::kIsBlank, "").text, "(? is null or ? = '')");
  Result<Query> array =
      BuildFilterClause({"nope", FilterOp::kArrayContains, "x", {}}, kTable, Lookup);
  EXPECT_FALSE(array.ok());
}

TEST(Filters, HostileValuesAreOnlyEverParameters) {
  for (const FilterOperator& op : FilterOperators()) {
    Query q = Build("state", op.op, "'; drop table facetable; --", {Value::Text("');--")});
    EXPECT_EQ(q.text.find("drop"), std::string::npos) << op.key;
    EXPECT_EQ(q.text.find("--"), std::string::npos) << op.key;
  }
}

TEST(Filters, OperatorsByKey) {
  EXPECT_EQ(FilterOperators().size(), 22u);
  EXPECT_EQ(FilterOpByKey("notcontains"), FilterOp::kNotContains);
  EXPECT_EQ(FilterOpByKey("nope"), std::nullopt);
  EXPECT_EQ(OperatorInfo(FilterOp::kGte).display, "\u2265");
  EXPECT_TRUE(OperatorInfo(FilterOp::kIsNull).no_argument);
}

TEST(Filters, JoinAnd) {
  Query q = JoinAnd({Query{"a = ?", {Value::Integer(1)}}, Query{"b = ?", {Value::Integer(2)}}});
  EXPECT_EQ(q.text, "a = ? and b = ?");
  EXPECT_EQ(q.params.size(), 2u);
  EXPECT_EQ(JoinAnd({}).text, "");
}

}  // namespace
}  // namespace almanac::sql
