#include "api/facets.h"

#include <algorithm>
#include <charconv>

#include "api/labels.h"
#include "api/urls.h"
#include "core/text.h"
#include "db/execute.h"
#include "db/value_counts.h"
#include "format/json_value.h"

namespace almanac::api {
namespace {

using format::JsonValue;

// Below this many rowids a facet is one query: splitting would cost more than it saves.
constexpr int64_t kMinRowidsToSplit = 200'000;

std::optional<sql::FacetKind> KindByName(std::string_view type) {
  if (type == "column") return sql::FacetKind::kColumn;
  if (type == "date") return sql::FacetKind::kDate;
  if (type == "array") return sql::FacetKind::kArray;
  return std::nullopt;  // e.g. _facet_size, or a facet type no class handles
}

// {"simple": "col"} / {"column": "col"} / "col" -> the column.
std::optional<std::string> ConfigColumn(const JsonValue& config) {
  if (config.is_string()) return config.as_string();
  if (!config.is_object()) return std::nullopt;
  for (const char* key : {"column", "simple"}) {
    const JsonValue* v = config.Find(key);
    if (v && v->is_string() && !v->as_string().empty()) return v->as_string();
  }
  return std::nullopt;
}

bool FacetableColumn(const db::TableInfo& table, const std::string& column) {
  if (table.FindColumn(column)) return true;
  return column == "rowid" && !table.is_view() && !table.without_rowid;
}

// Counting a facet chunk by chunk gives the same groups and order as one GROUP BY only under
// the BINARY collation, on a rowid table, and for a column no index can count faster.
bool CanSplit(const FacetContext& ctx, sql::FacetKind kind, const std::string& column) {
  const db::TableInfo& table = *ctx.resolved.table;
  if (kind == sql::FacetKind::kArray || table.is_view() || table.without_rowid) return false;
  if (!ctx.instance.pool || ctx.instance.pool->size() < 2) return false;
  if (AsciiLower(table.sql).find("collate") != std::string::npos) return false;
  if (kind == sql::FacetKind::kColumn && ctx.resolved.schema->HasIndexOn(table.name, column)) {
    return false;
  }
  return true;
}

// A chunk with more distinct values than this is left to SQLite's GROUP BY.
constexpr size_t kMaxChunkGroups = 50'000;

db::Rows FromCounts(const std::vector<sql::FacetCount>& counts) {
  db::Rows rows;
  rows.columns = {"value", "count"};
  for (const sql::FacetCount& c : counts) {
    rows.cells.push_back(c.value);
    rows.cells.push_back(Value::Integer(c.count));
  }
  return rows;
}

// The facet counted in parallel over rowid ranges, or nullopt when the table is too small to
// be worth it. DeadlineExceeded when a chunk runs out of time.
Result<std::optional<db::Rows>> SplitCount(const FacetContext& ctx, sql::FacetKind kind,
                                           const sql::Identifier& column, int64_t limit) {
  const ResolvedTable& r = ctx.resolved;
  ALM_ASSIGN_OR_RETURN(db::QueryResult range,
                       db::Execute(*r.conn, sql::BuildRowidRange(ctx.source.table), {}));
  if (range.rows.empty() || range.rows.at(0, 0).type() != Value::Type::kInteger) {
    return std::optional<db::Rows>();
  }
  int64_t low = range.rows.at(0, 0).integer();
  int64_t high = range.rows.at(0, 1).integer();
  if (high - low < kMinRowidsToSplit) return std::optional<db::Rows>();

  auto chunks = static_cast<int64_t>(ctx.instance.pool->size());
  int64_t span = (high - low) / chunks + 1;
  using Chunk = Result<std::vector<sql::FacetCount>>;
  std::vector<Chunk> results(static_cast<size_t>(chunks), Status(ErrorCode::kInternal, "not run"));
  std::vector<TaskPool::Task> tasks;
  for (int64_t i = 0; i < chunks; ++i) {
    int64_t first = low + i * span;
    int64_t last = std::min(high, first + span - 1);
    sql::Query q = sql::BuildFacetChunkQuery(kind, ctx.source, column, first, last);
    tasks.push_back([&ctx, &results, i, q = std::move(q)]() {
      Chunk& out = results[static_cast<size_t>(i)];
      Result<db::Connection*> conn = ctx.resolved.db->ReadConnection();
      if (!conn.ok()) {
        out = conn.status();
        return;
      }
      // Each chunk is one statement and gets the facet time limit from when it starts.
      out = db::CountValues(**conn, q,
                            LimitsWithin(ctx.instance, ctx.instance.settings.facet_time_limit_ms),
                            kMaxChunkGroups);
    });
  }
  ctx.instance.pool->RunAll(std::move(tasks));
  std::vector<std::vector<sql::FacetCount>> counts;
  for (Chunk& result : results) {
    if (!result.ok()) {
      // Too many values for hash counting: let one GROUP BY do it.
      if (result.status().code() == ErrorCode::kUnavailable) return std::optional<db::Rows>();
      return result.status();
    }
    counts.push_back(std::move(result).value());
  }
  return std::optional<db::Rows>(
      FromCounts(sql::MergeFacetCounts(counts, static_cast<size_t>(limit))));
}

// The facet's rows (value, count), at most `limit`, from the cache, in parallel chunks, or
// from one query.
Result<db::Rows> FacetRows(const FacetContext& ctx, sql::FacetKind kind, const std::string& name,
                           int64_t limit) {
  sql::Identifier column = sql::Identifier::FromSchema(name);
  sql::Query query = sql::BuildFacetQuery(kind, ctx.source, column, limit);
  db::Database& db = *ctx.resolved.db;
  if (ctx.generation) {
    if (auto hit = db.cache().Get(*ctx.generation, query)) return *hit;
  }
  if (CanSplit(ctx, kind, name)) {
    ALM_ASSIGN_OR_RETURN(std::optional<db::Rows> rows, SplitCount(ctx, kind, column, limit));
    if (rows) {
      if (ctx.generation) db.cache().Put(*ctx.generation, query, *rows);
      return std::move(*rows);
    }
  }
  return CachedQuery(ctx.resolved, ctx.generation, query,
                     LimitsWithin(ctx.instance, ctx.instance.settings.facet_time_limit_ms));
}

bool HasPair(const Request& request, const std::string& key, const std::string& value) {
  return std::any_of(request.args.begin(), request.args.end(),
                     [&](const auto& kv) { return kv.first == key && kv.second == value; });
}

// The last value given for `key` (Python's dict(parse_qsl(...))[key]).
const std::string* LastArg(const Request& request, const std::string& key) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : request.args) {
    if (k == key) found = &v;
  }
  return found;
}

FacetValue MakeValue(const Request& request, const std::string& key, Value value, Value label,
                     int64_t count, bool selected) {
  std::string text = value.ToDisplayString();
  std::string path = selected ? PathWithRemovedPairs(request, {{key, text}})
                              : PathWithAddedArgs(request, {{key, text}});
  return FacetValue{std::move(value), std::move(label), count, request.AbsoluteUrl(path), selected};
}

Result<FacetResult> BuildResult(const FacetContext& ctx, const FacetConfig& config,
                                const db::Rows& rows, int64_t size) {
  const Request& request = ctx.request;
  FacetResult result;
  result.name = config.column;
  result.hideable = !config.from_metadata;
  result.truncated = static_cast<int64_t>(rows.size()) > size;
  size_t shown = std::min(rows.size(), static_cast<size_t>(size));
  switch (config.kind) {
    case sql::FacetKind::kColumn: {
      result.type = "column";
      result.toggle_url = PathWithRemovedPairs(request, {{"_facet", config.column}});
      std::vector<Value> values;
      for (size_t i = 0; i < shown; ++i) values.push_back(rows.at(i, 0));
      ALM_ASSIGN_OR_RETURN(LabelMap labels,
                           ExpandForeignKeys(ctx.instance, request, ctx.resolved,
                                             *ctx.resolved.table, config.column, values));
      std::string key = config.column.starts_with("_") ? config.column + "__exact" : config.column;
      for (size_t i = 0; i < shown; ++i) {
        const Value& v = rows.at(i, 0);
        auto label = labels.find(v);
        bool selected = HasPair(request, key, v.ToDisplayString());
        result.results.push_back(MakeValue(request, key, v,
                                           label == labels.end() ? v : label->second,
                                           rows.at(i, 1).integer(), selected));
      }
      break;
    }
    case sql::FacetKind::kDate: {
      result.type = "date";
      result.toggle_url = PathWithRemovedPairs(request, {{"_facet_date", config.column}});
      std::string key = config.column + "__date";
      const std::string* chosen = LastArg(request, key);
      for (size_t i = 0; i < shown; ++i) {
        const Value& v = rows.at(i, 0);
        bool selected = chosen && *chosen == v.ToDisplayString();
        result.results.push_back(MakeValue(request, key, v, v, rows.at(i, 1).integer(), selected));
      }
      break;
    }
    case sql::FacetKind::kArray: {
      result.type = "array";
      result.toggle_url = PathWithRemovedPairs(request, {{"_facet_array", config.column}});
      std::string key = config.column + "__arraycontains";
      for (size_t i = 0; i < shown; ++i) {
        Value v = Value::Text(rows.at(i, 0).ToDisplayString());
        bool selected = HasPair(request, key, v.text());
        result.results.push_back(MakeValue(request, key, v, v, rows.at(i, 1).integer(), selected));
      }
      break;
    }
  }
  return result;
}

}  // namespace

bool HasFacetArgs(const Request& request) {
  return std::any_of(request.args.begin(), request.args.end(), [](const auto& kv) {
    return kv.first == "_facet" || kv.first.starts_with("_facet_");
  });
}

Result<std::vector<FacetConfig>> LoadFacetConfigs(const Request& request,
                                                  const config::TableOptions& options,
                                                  const db::TableInfo& table) {
  std::vector<FacetConfig> found;
  if (options.facets && options.facets->is_array()) {
    for (const JsonValue& item : options.facets->as_array()) {
      sql::FacetKind kind = sql::FacetKind::kColumn;
      std::optional<std::string> column = ConfigColumn(item);
      if (item.is_object() && item.as_object().size() == 1) {
        std::optional<sql::FacetKind> k = KindByName(item.as_object()[0].first);
        if (!k) continue;
        kind = *k;
        column = ConfigColumn(item.as_object()[0].second);
      }
      if (column && FacetableColumn(table, *column)) found.push_back({kind, *column, true});
    }
  }
  // parse_qs groups the values of a key at the key's first appearance.
  std::vector<std::string> keys;
  for (const auto& [k, v] : request.args) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const std::string& key : keys) {
    std::optional<sql::FacetKind> kind;
    if (key == "_facet") kind = sql::FacetKind::kColumn;
    if (key.starts_with("_facet_")) kind = KindByName(key.substr(7));
    if (!kind) continue;
    for (const std::string& value : request.Args(key)) {
      if (value.empty()) continue;
      std::optional<std::string> column = value;
      if (value.starts_with("{")) {
        Result<JsonValue> parsed = format::ParseJson(value);
        if (!parsed.ok()) return InvalidArgument("Invalid facet: " + value);
        column = ConfigColumn(*parsed);
        if (!column) return InvalidArgument("Invalid facet: " + value);
      }
      if (!FacetableColumn(table, *column)) {
        return InvalidArgument("Cannot facet on " + *column + ": no such column in " + table.name);
      }
      found.push_back({*kind, *column, false});
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const FacetConfig& a, const FacetConfig& b) {
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
  return found;
}

int64_t FacetSize(const Instance& instance, const Request& request, std::string_view database,
                  std::string_view table) {
  int64_t max_rows = instance.settings.max_returned_rows;
  int64_t size = instance.settings.default_facet_size;
  bool custom = false;
  if (const std::string* arg = request.Arg("_facet_size"); arg && !arg->empty()) {
    if (*arg == "max") {
      size = max_rows;
      custom = true;
    } else if (std::all_of(arg->begin(), arg->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(arg->data(), arg->data() + arg->size(), n);
      size = ec == std::errc() ? n : max_rows;
      custom = true;
    }
  }
  const JsonValue* t = instance.config.TableConfig(database, table);
  const JsonValue* configured = t ? t->Find("facet_size") : nullptr;
  if (configured && configured->Truthy() && !custom) {
    if (configured->is_string() && configured->as_string() == "max") size = max_rows;
    if (configured->is_int()) size = configured->as_int();
  }
  return std::min(size, max_rows);
}

db::Limits LimitsWithin(const Instance& instance, int64_t custom_ms) {
  int64_t ms = instance.settings.sql_time_limit_ms;
  if (custom_ms > 0 && (ms <= 0 || custom_ms < ms)) ms = custom_ms;
  db::Limits limits;
  if (ms > 0) limits.deadline = db::Clock::now() + std::chrono::milliseconds(ms);
  return limits;
}

Result<db::Rows> CachedQuery(const ResolvedDatabase& resolved, std::optional<uint64_t> generation,
                             const sql::Query& query, const db::Limits& limits) {
  if (generation) {
    if (auto hit = resolved.db->cache().Get(*generation, query)) return *hit;
  }
  ALM_ASSIGN_OR_RETURN(db::QueryResult result, db::Execute(*resolved.conn, query, limits));
  if (generation) resolved.db->cache().Put(*generation, query, result.rows);
  return std::move(result.rows);
}

Result<FacetOutcome> ComputeFacets(const FacetContext& ctx,
                                   const std::vector<FacetConfig>& configs) {
  FacetOutcome out;
  int64_t size =
      FacetSize(ctx.instance, ctx.request, ctx.resolved.db->name(), ctx.resolved.table->name);
  for (const FacetConfig& config : configs) {
    Result<db::Rows> rows = FacetRows(ctx, config.kind, config.column, size + 1);
    if (!rows.ok()) {
      if (rows.status().code() != ErrorCode::kDeadlineExceeded) return rows.status();
      out.timed_out.push_back(config.column);
      continue;
    }
    ALM_ASSIGN_OR_RETURN(FacetResult result, BuildResult(ctx, config, *rows, size));
    out.results.push_back(std::move(result));
  }
  return out;
}

}  // namespace almanac::api
