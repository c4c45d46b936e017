#include "sql/filters.h"

#include <charconv>

namespace almanac::sql {
namespace {

constexpr FilterOperator kOperators[] = {
    {FilterOp::kExact, "exact", "=", false},
    {FilterOp::kNot, "not", "!=", false},
    {FilterOp::kContains, "contains", "contains", false},
    {FilterOp::kNotContains, "notcontains", "does not contain", false},
    {FilterOp::kEndsWith, "endswith", "ends with", false},
    {FilterOp::kStartsWith, "startswith", "starts with", false},
    {FilterOp::kGt, "gt", ">", false},
    {FilterOp::kGte, "gte", "\u2265", false},
    {FilterOp::kLt, "lt", "<", false},
    {FilterOp::kLte, "lte", "\u2264", false},
    {FilterOp::kLike, "like", "like", false},
    {FilterOp::kNotLike, "notlike", "not like", false},
    {FilterOp::kGlob, "glob", "glob", false},
    {FilterOp::kIn, "in", "in", false},
    {FilterOp::kNotIn, "notin", "not in", false},
    {FilterOp::kArrayContains, "arraycontains", "array contains", false},
    {FilterOp::kArrayNotContains, "arraynotcontains", "array does not contain", false},
    {FilterOp::kDate, "date", "date", false},
    {FilterOp::kIsNull, "isnull", "is null", true},
    {FilterOp::kNotNull, "notnull", "is not null", true},
    {FilterOp::kIsBlank, "isblank", "is blank", true},
    {FilterOp::kNotBlank, "notblank", "is not blank", true},
};

// The comparison operators bind a run of ASCII digits as an integer (Datasette's numeric=True).
Value NumericOrText(const std::string& value) {
  bool digits = !value.empty();
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && ptr == value.data() + value.size()) return Value::Integer(n);
  }
  return Value::Text(value);
}

// Writes the filtered column: its schema name, or the unknown name as a bound text value.
class ColumnRef {
 public:
  ColumnRef(std::optional<Identifier> id, std::string name)
      : id_(std::move(id)), name_(std::move(name)) {}
  void AppendTo(QueryBuilder& b) const {
    if (id_) {
      b.Name(*id_);
    } else {
      b.Bind(Value::Text(name_));
    }
  }
  const std::optional<Identifier>& id() const { return id_; }

 private:
  std::optional<Identifier> id_;
  std::string name_;
};

// Callers pass only the literal and named values: clang 14 mis-scopes the destructors of
// temporaries in a call that also converts a literal to a (consteval) Fragment.
void Compare(QueryBuilder& b, const ColumnRef& c, Fragment op, const Value& v) {
  c.AppendTo(b);
  b.Add(op).Bind(v);
}

// The bound value of a one-argument operator: LIKE patterns wrapped, numbers for comparisons.
Value Argument(FilterOp op, const std::string& v) {
  switch (op) {
    case FilterOp::kContains:
    case FilterOp::kNotContains:
      return Value::Text("%" + v + "%");
    case FilterOp::kEndsWith:
      return Value::Text("%" + v);
    case FilterOp::kStartsWith:
      return Value::Text(v + "%");
    case FilterOp::kGt:
    case FilterOp::kGte:
    case FilterOp::kLt:
    case FilterOp::kLte:
      return NumericOrText(v);
    default:
      return Value::Text(v);
  }
}

void InList(QueryBuilder& b, const ColumnRef& c, Fragment op, const std::vector<Value>& list) {
  c.AppendTo(b);
  b.Add(op).Add("(");
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) b.Add(", ");
    b.Bind(list[i]);
  }
  b.Add(")");
}

}  // namespace

std::span<const FilterOperator> FilterOperators() { return kOperators; }

std::optional<FilterOp> FilterOpByKey(std::string_view key) {
  for (const FilterOperator& o : kOperators) {
    if (o.key == key) return o.op;
  }
  return std::nullopt;
}

const FilterOperator& OperatorInfo(FilterOp op) {
  for (const FilterOperator& o : kOperators) {
    if (o.op == op) return o;
  }
  return kOperators[0];
}

Result<Query> BuildFilterClause(const FilterSpec& spec, const Identifier& table,
                                const ColumnLookup& lookup) {
  ColumnRef c(lookup(spec.column), spec.column);
  const Value arg = Argument(spec.op, spec.value);
  QueryBuilder b;
  switch (spec.op) {
    case FilterOp::kExact:
      Compare(b, c, " = ", arg);
      break;
    case FilterOp::kNot:
      Compare(b, c, " != ", arg);
      break;
    case FilterOp::kContains:
    case FilterOp::kEndsWith:
    case FilterOp::kStartsWith:
    case FilterOp::kLike:
      Compare(b, c, " like ", arg);
      break;
    case FilterOp::kNotContains:
    case FilterOp::kNotLike:
      Compare(b, c, " not like ", arg);
      break;
    case FilterOp::kGt:
      Compare(b, c, " > ", arg);
      break;
    case FilterOp::kGte:
      Compare(b, c, " >= ", arg);
      break;
    case FilterOp::kLt:
      Compare(b, c, " < ", arg);
      break;
    case FilterOp::kLte:
      Compare(b, c, " <= ", arg);
      break;
    case FilterOp::kGlob:
      Compare(b, c, " glob ", arg);
      break;
    case FilterOp::kIn:
      InList(b, c, " in ", spec.list);
      break;
    case FilterOp::kNotIn:
      InList(b, c, " not in ", spec.list);
      break;
    case FilterOp::kArrayContains:
    case FilterOp::kArrayNotContains:
      if (!c.id()) return InvalidArgument("no such column: " + spec.column);
      b.Bind(arg);
      b.Add(spec.op == FilterOp::kArrayContains ? Fragment(" in ") : Fragment(" not in "));
      b.Add("(select value from json_each(").Name(table).Add(".").Name(*c.id()).Add("))");
      break;
    case FilterOp::kDate:
      b.Add("date(");
      c.AppendTo(b);
      b.Add(") = ").Bind(arg);
      break;
    case FilterOp::kIsNull:
      c.AppendTo(b);
      b.Add(" is null");
      break;
    case FilterOp::kNotNull:
      c.AppendTo(b);
      b.Add(" is not null");
      break;
    case FilterOp::kIsBlank:
      b.Add("(");
      c.AppendTo(b);
      b.Add(" is null or ");
      c.AppendTo(b);
      b.Add(" = '')");
      break;
    case FilterOp::kNotBlank:
      b.Add("(");
      c.AppendTo(b);
      b.Add(" is not null and ");
      c.AppendTo(b);
      b.Add(" != '')");
      break;
  }
  return std::move(b).Build();
}

Query JoinAnd(const std::vector<Query>& clauses) {
  QueryBuilder b;
  for (size_t i = 0; i < clauses.size(); ++i) {
    if (i) b.Add(" and ");
    b.Append(clauses[i]);
  }
  return std::move(b).Build();
}

}  // namespace almanac::sql
