// JSON writer micro-benchmarks: a 100-row table page's rows (the hot loop of /db/table.json),
// string escaping, and doubles (Python float repr).
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/value.h"
#include "format/json_writer.h"

namespace {

using almanac::Value;
using almanac::format::JsonWriter;

// Rows shaped like the benchmark table: id, text, integer, real, category, date.
std::vector<std::vector<Value>> SampleRows(int n) {
  std::vector<std::vector<Value>> rows;
  for (int i = 1; i <= n; ++i) {
    rows.push_back({Value::Integer(i), Value::Text("row " + std::to_string(i) + " 3FA2B9C0D1E4"),
                    Value::Integer((i * 7919) % 1000003), Value::Real((i % 1000) / 7.0),
                    Value::Text("cat" + std::to_string(i % 20)), Value::Text("2021-03-04")});
  }
  return rows;
}

void BM_TablePageRows(benchmark::State& state) {
  auto rows = SampleRows(static_cast<int>(state.range(0)));
  const char* names[] = {"id", "a", "b", "c", "d", "day"};
  std::string out;
  for (auto _ : state) {
    out.clear();
    JsonWriter w(out);
    w.BeginArray();
    for (const auto& row : rows) {
      w.BeginObject();
      for (size_t c = 0; c < row.size(); ++c) {
        w.Key(names[c]);
        w.WriteValue(row[c]);
      }
      w.EndObject();
    }
    w.EndArray();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TablePageRows)->Arg(100)->Arg(1000);

void BM_StringEscape(benchmark::State& state) {
  std::string plain(200, 'a');
  std::string escaped = "line \"one\"\n\ttab \\ caf\xc3\xa9 \xe2\x9c\x93 end";
  const std::string& s = state.range(0) ? escaped : plain;
  std::string out;
  for (auto _ : state) {
    out.clear();
    almanac::format::AppendJsonString(s, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.size()));
}
BENCHMARK(BM_StringEscape)->Arg(0)->Arg(1);

void BM_Doubles(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    JsonWriter w(out);
    w.BeginArray();
    for (int i = 0; i < 1000; ++i) w.Double(i / 7.0);
    w.EndArray();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_Doubles);

}  // namespace
