#include "sql/facet_sql.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace almanac::sql {
namespace {

// "where <filters> and " or "where ".
void WherePrefix(QueryBuilder& b, const FacetSource& source) {
  b.Add(" where ");
  if (!source.where.text.empty()) b.Append(source.where).Add(" and ");
}

// <col> or date(<col>): the grouped expression.
void Grouped(QueryBuilder& b, FacetKind kind, const Identifier& column) {
  if (kind == FacetKind::kDate) {
    b.Add("date(").Name(column).Add(")");
  } else {
    b.Name(column);
  }
}

Query ArrayFacet(const FacetSource& source, const Identifier& column, int64_t limit) {
  // Datasette's query (issue 448): each distinct array item counts once per row.
  QueryBuilder b;
  b.Add("with _facet_inner as (").Append(source.inner).Add("),\n");
  b.Add("_facet_items as (select distinct j.value, _facet_inner.* from json_each(_facet_inner.");
  b.Name(column).Add(") j join _facet_inner)\n");
  b.Add("select value as value, count(*) as count from _facet_items group by value ");
  b.Add("order by count(*) desc, value limit ").Integer(limit);
  return std::move(b).Build();
}

// Numbers before text before blobs.
int TypeRank(const Value& v) {
  switch (v.type()) {
    case Value::Type::kInteger:
    case Value::Type::kReal:
      return 1;
    case Value::Type::kText:
      return 2;
    case Value::Type::kBlob:
      return 3;
    default:
      return 0;
  }
}

int CompareIntReal(int64_t i, double r) {
  if (std::isnan(r)) return 1;
  if (r < -9223372036854775808.0) return 1;
  if (r >= 9223372036854775808.0) return -1;
  auto truncated = static_cast<int64_t>(r);
  if (i < truncated) return -1;
  if (i > truncated) return 1;
  double rest = r - static_cast<double>(truncated);
  return rest > 0 ? -1 : rest < 0 ? 1 : 0;
}

template <typename T>
int Three(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

}  // namespace

Query BuildFacetQuery(FacetKind kind, const FacetSource& source, const Identifier& column,
                      int64_t limit) {
  if (kind == FacetKind::kArray) return ArrayFacet(source, column, limit);
  QueryBuilder b;
  b.Add("select ");
  Grouped(b, kind, column);
  b.Add(" as value, count(*) as count from ").Name(source.table);
  WherePrefix(b, source);
  Grouped(b, kind, column);
  b.Add(" is not null group by ");
  Grouped(b, kind, column);
  b.Add(" order by count desc, value limit ").Integer(limit);
  return std::move(b).Build();
}

Query BuildFacetChunkQuery(FacetKind kind, const FacetSource& source, const Identifier& column,
                           int64_t first_rowid, int64_t last_rowid) {
  QueryBuilder b;
  b.Add("select ");
  Grouped(b, kind, column);
  b.Add(" as value from ").Name(source.table);
  b.Add(" where rowid >= ").Bind(Value::Integer(first_rowid));
  b.Add(" and rowid <= ").Bind(Value::Integer(last_rowid)).Add(" and ");
  if (!source.where.text.empty()) b.Append(source.where).Add(" and ");
  Grouped(b, kind, column);
  b.Add(" is not null");
  return std::move(b).Build();
}

Query BuildRowidRange(const Identifier& table) {
  QueryBuilder b;
  // Two scalar subqueries: SQLite answers a lone min() or max() from the b-tree's ends, but
  // "min(rowid), max(rowid)" together would scan the whole table.
  b.Add("select (select min(rowid) from ").Name(table).Add("), (select max(rowid) from ");
  b.Name(table).Add(")");
  return std::move(b).Build();
}

Query BuildSuggestQuery(FacetKind kind, const FacetSource& source, const Identifier& column,
                        int64_t limit) {
  QueryBuilder b;
  switch (kind) {
    case FacetKind::kColumn:
      b.Add("with limited as (select * from (").Append(source.inner).Add(") limit 1000) ");
      b.Add("select ").Name(column).Add(" as value, count(*) as n from limited where ");
      b.Name(column).Add(" is not null group by ").Name(column).Add(" limit ").Integer(limit);
      break;
    case FacetKind::kDate:
      b.Add("select date(").Name(column).Add(") from (select * from (").Append(source.inner);
      b.Add(") limit 100) where ")
          .Name(column)
          .Add(
              " glob '?"
              "?"
              "?"
              "?-?"
              "?-*'");
      break;
    case FacetKind::kArray:
      b.Add("with limited as (select * from (").Append(source.inner).Add(") limit 1000) ");
      b.Add("select distinct json_type(").Name(column).Add(") from limited where ");
      b.Name(column).Add(" is not null and ").Name(column).Add(" != ''");
      break;
  }
  return std::move(b).Build();
}

Query BuildArraySampleQuery(const FacetSource& source, const Identifier& column) {
  QueryBuilder b;
  b.Add("select ").Name(column).Add(" from (").Append(source.inner).Add(") where ");
  b.Name(column).Add(" is not null and ").Name(column).Add(" != '' and json_array_length(");
  b.Name(column).Add(") > 0 limit 100");
  return std::move(b).Build();
}

Query BuildSuggestRowCount(const FacetSource& source) {
  QueryBuilder b;
  b.Add("select count(*) from (select * from (").Append(source.inner).Add(") limit 1000)");
  return std::move(b).Build();
}

int CompareSqlValues(const Value& a, const Value& b) {
  int ra = TypeRank(a);
  int rb = TypeRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type()) {
    case Value::Type::kInteger:
      if (b.type() == Value::Type::kInteger) return Three(a.integer(), b.integer());
      return CompareIntReal(a.integer(), b.real());
    case Value::Type::kReal:
      if (b.type() == Value::Type::kInteger) return -CompareIntReal(b.integer(), a.real());
      return Three(a.real(), b.real());
    case Value::Type::kText:
      return Three(std::string_view(a.text()), std::string_view(b.text()));
    case Value::Type::kBlob:
      return Three(std::string_view(a.blob()), std::string_view(b.blob()));
    default:
      return 0;
  }
}

std::vector<FacetCount> MergeFacetCounts(const std::vector<std::vector<FacetCount>>& chunks,
                                         size_t limit) {
  auto less = [](const Value& a, const Value& b) { return CompareSqlValues(a, b) < 0; };
  std::map<Value, int64_t, decltype(less)> totals(less);
  for (const std::vector<FacetCount>& chunk : chunks) {
    for (const FacetCount& fc : chunk) totals[fc.value] += fc.count;
  }
  std::vector<FacetCount> merged;
  merged.reserve(totals.size());
  for (auto& [value, count] : totals) merged.push_back({value, count});
  // The map is in value order, so a stable sort by count keeps ties in value order.
  std::stable_sort(merged.begin(), merged.end(),
                   [](const FacetCount& a, const FacetCount& b) { return a.count > b.count; });
  if (limit > 0 && merged.size() > limit) merged.resize(limit);
  return merged;
}

}  // namespace almanac::sql
