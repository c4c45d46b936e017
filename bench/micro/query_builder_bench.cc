// Query builder micro-benchmarks: the SQL of one table page (select with keyset pagination and
// filters, and its capped count), built per request.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "sql/filters.h"
#include "sql/query.h"
#include "sql/table_select.h"

namespace {

using almanac::Value;
using namespace almanac::sql;

TableSelect PageSelect(int filters) {
  TableSelect s;
  s.table = Identifier::FromSchema("big");
  for (const char* c : {"id", "a", "b", "c", "d", "day"}) {
    s.columns.push_back(Identifier::FromSchema(c));
    s.all_columns.push_back(Identifier::FromSchema(c));
  }
  s.primary_keys.push_back(Identifier::FromSchema("id"));
  s.after_keys = std::vector<Value>{Value::Integer(123456)};
  const char* ops[] = {"b__gt", "d__exact", "a__contains"};
  for (int i = 0; i < filters; ++i) {
    FilterSpec spec;
    std::string key = ops[i % 3];
    spec.column = key.substr(0, key.find("__"));
    spec.op = *FilterOpByKey(key.substr(key.find("__") + 2));
    spec.value = "500";
    auto lookup = [](std::string_view name) -> std::optional<Identifier> {
      return Identifier::FromSchema(std::string(name));
    };
    auto clause = BuildFilterClause(spec, s.table, lookup);
    if (clause.ok()) s.where.push_back(std::move(*clause));
  }
  return s;
}

void BM_BuildSelect(benchmark::State& state) {
  TableSelect s = PageSelect(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Query q = BuildSelect(s);
    benchmark::DoNotOptimize(q.text.data());
  }
}
BENCHMARK(BM_BuildSelect)->Arg(0)->Arg(3);

void BM_BuildCappedCount(benchmark::State& state) {
  TableSelect s = PageSelect(3);
  for (auto _ : state) {
    Query q = BuildCappedCount(s, 10001);
    benchmark::DoNotOptimize(q.text.data());
  }
}
BENCHMARK(BM_BuildCappedCount);

void BM_FilterClauses(benchmark::State& state) {
  for (auto _ : state) {
    TableSelect s = PageSelect(3);
    benchmark::DoNotOptimize(s.where.data());
  }
}
BENCHMARK(BM_FilterClauses);

void BM_ToNamedParams(benchmark::State& state) {
  Query q = BuildSelect(PageSelect(3));
  for (auto _ : state) {
    NamedQuery named = ToNamedParams(q);
    benchmark::DoNotOptimize(named.sql.data());
  }
}
BENCHMARK(BM_ToNamedParams);

}  // namespace
