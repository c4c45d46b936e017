// Facet suggestions (Datasette's Facet.suggest for the column, date and array facets).
#include <algorithm>

#include "api/facets.h"
#include "api/urls.h"
#include "db/execute.h"
#include "format/json_value.h"

namespace almanac::api {
namespace {

bool Enabled(const std::vector<FacetConfig>& configs, sql::FacetKind kind,
             const std::string& column) {
  return std::any_of(configs.begin(), configs.end(),
                     [&](const FacetConfig& c) { return c.kind == kind && c.column == column; });
}

// A suggestion probe: its rows, or nullopt when it failed or ran out of time (skipped).
std::optional<db::Rows> Probe(const FacetContext& ctx, const sql::Query& query) {
  Result<db::QueryResult> result =
      db::Execute(*ctx.resolved.conn, query,
                  LimitsWithin(ctx.instance, ctx.instance.settings.facet_suggest_time_limit_ms));
  if (!result.ok()) return std::nullopt;
  return std::move(result->rows);
}

bool IsJsonArrayOfStrings(const Value& v) {
  if (v.type() != Value::Type::kText) return false;
  Result<format::JsonValue> parsed = format::ParseJson(v.text());
  if (!parsed.ok() || !parsed->is_array()) return false;
  return std::all_of(parsed->as_array().begin(), parsed->as_array().end(),
                     [](const format::JsonValue& item) { return item.is_string(); });
}

std::string Toggle(const FacetContext& ctx, const char* key, const std::string& column) {
  return ctx.request.AbsoluteUrl(PathWithAddedArgs(ctx.request, {{key, column}}));
}

bool SuggestColumn(const FacetContext& ctx, const sql::Identifier& column, int64_t size,
                   int64_t row_count) {
  std::optional<db::Rows> rows =
      Probe(ctx, sql::BuildSuggestQuery(sql::FacetKind::kColumn, ctx.source, column, size + 1));
  if (!rows) return false;
  auto distinct = static_cast<int64_t>(rows->size());
  bool repeated = false;
  for (size_t r = 0; r < rows->size(); ++r) {
    const Value& n = rows->at(r, 1);
    repeated = repeated || (n.type() == Value::Type::kInteger && n.integer() > 1);
  }
  return 1 < distinct && distinct < row_count && distinct <= size && repeated;
}

bool SuggestDate(const FacetContext& ctx, const sql::Identifier& column) {
  std::optional<db::Rows> rows =
      Probe(ctx, sql::BuildSuggestQuery(sql::FacetKind::kDate, ctx.source, column, 0));
  if (!rows) return false;
  for (const Value& v : rows->cells) {
    if (!v.is_null() && !(v.type() == Value::Type::kText && v.text().empty())) return true;
  }
  return false;
}

bool SuggestArray(const FacetContext& ctx, const sql::Identifier& column) {
  std::optional<db::Rows> types =
      Probe(ctx, sql::BuildSuggestQuery(sql::FacetKind::kArray, ctx.source, column, 0));
  if (!types || types->cells.empty() || types->cells.size() > 2) return false;
  const Value& first = types->cells[0];
  if (first.type() != Value::Type::kText || first.text() != "array") return false;
  if (types->cells.size() == 2 && !types->cells[1].is_null()) return false;
  std::optional<db::Rows> sample = Probe(ctx, sql::BuildArraySampleQuery(ctx.source, column));
  if (!sample || sample->cells.empty()) return false;
  return std::all_of(sample->cells.begin(), sample->cells.end(), IsJsonArrayOfStrings);
}

}  // namespace

Result<std::vector<SuggestedFacet>> SuggestFacets(const FacetContext& ctx,
                                                  const std::vector<FacetConfig>& configs,
                                                  std::optional<int64_t> row_count) {
  std::vector<SuggestedFacet> out;
  const db::TableInfo& table = *ctx.resolved.table;
  int64_t size = FacetSize(ctx.instance, ctx.request, ctx.resolved.db->name(), table.name);
  if (!row_count) {
    Result<db::QueryResult> counted =
        db::Execute(*ctx.resolved.conn, sql::BuildSuggestRowCount(ctx.source), {});
    if (!counted.ok()) return counted.status();
    const Value& n = counted->rows.empty() ? Value() : counted->rows.at(0, 0);
    row_count = n.type() == Value::Type::kInteger ? n.integer() : 0;
  }
  // The inner SELECT's columns: rowid first for rowid tables, then every column.
  std::vector<std::string> columns;
  if (table.uses_rowid()) columns.emplace_back("rowid");
  for (const db::ColumnInfo& c : table.columns) columns.push_back(c.name);

  for (const std::string& name : columns) {
    if (Enabled(configs, sql::FacetKind::kColumn, name)) continue;
    if (SuggestColumn(ctx, sql::Identifier::FromSchema(name), size, *row_count)) {
      out.push_back({name, std::nullopt, Toggle(ctx, "_facet", name)});
    }
  }
  for (const std::string& name : columns) {
    if (Enabled(configs, sql::FacetKind::kDate, name)) continue;
    if (SuggestDate(ctx, sql::Identifier::FromSchema(name))) {
      out.push_back({name, "date", Toggle(ctx, "_facet_date", name)});
    }
  }
  for (const std::string& name : columns) {
    if (Enabled(configs, sql::FacetKind::kArray, name)) continue;
    if (SuggestArray(ctx, sql::Identifier::FromSchema(name))) {
      out.push_back({name, "array", Toggle(ctx, "_facet_array", name)});
    }
  }
  return out;
}

}  // namespace almanac::api
