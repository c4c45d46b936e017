// Facets of a table page: ?_facet=, ?_facet_date=, ?_facet_array= and facets configured for
// the table, counted with facet_time_limit_ms per query (a facet that runs out of time is
// reported in timed_out), labelled through foreign keys, with toggle URLs; and facet
// suggestions (facet_suggest_time_limit_ms). A column facet over a large rowid table with no
// index on the column is counted in parallel: the rowid range is split into chunks that the
// SQL threads count at the same time, and the counts are merged. Results are cached per
// database change generation, so asking again costs a lookup.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/context.h"
#include "api/pages.h"
#include "api/resolve.h"
#include "config/config.h"
#include "sql/facet_sql.h"

namespace almanac::api {

struct FacetConfig {
  sql::FacetKind kind = sql::FacetKind::kColumn;
  std::string column;
  bool from_metadata = false;
};

// True when the request names any facet (?_facet=, ?_facet_<type>=).
bool HasFacetArgs(const Request& request);

// The facets to compute: configured ones first, then the request's, grouped by type in
// Datasette's order (column, date, array). InvalidArgument for a malformed JSON facet or a
// column the table does not have.
Result<std::vector<FacetConfig>> LoadFacetConfigs(const Request& request,
                                                  const config::TableOptions& options,
                                                  const db::TableInfo& table);

struct FacetContext {
  const Instance& instance;
  const Request& request;
  const ResolvedTable& resolved;
  const config::TableOptions& options;
  sql::FacetSource source;
  std::optional<uint64_t> generation;  // for the cache; nullopt = don't cache
};

struct FacetOutcome {
  std::vector<FacetResult> results;
  std::vector<std::string> timed_out;
};

Result<FacetOutcome> ComputeFacets(const FacetContext& ctx,
                                   const std::vector<FacetConfig>& configs);

// Facets worth offering for this page. `row_count` is the page's count when it has one.
Result<std::vector<SuggestedFacet>> SuggestFacets(const FacetContext& ctx,
                                                  const std::vector<FacetConfig>& configs,
                                                  std::optional<int64_t> row_count);

// The facet size: default_facet_size, the table's facet_size, or ?_facet_size= (a number or
// "max"), never more than max_returned_rows.
int64_t FacetSize(const Instance& instance, const Request& request, std::string_view database,
                  std::string_view table);

// The time limit for a query given its own limit in ms (facet_time_limit_ms...): that limit
// when set and below sql_time_limit_ms, else sql_time_limit_ms (Datasette's rule).
db::Limits LimitsWithin(const Instance& instance, int64_t custom_ms);

// Runs `query`, answering from the database's cache when `generation` is set and the result
// is there; complete results are stored. Used for facet and count queries.
Result<db::Rows> CachedQuery(const ResolvedDatabase& resolved, std::optional<uint64_t> generation,
                             const sql::Query& query, const db::Limits& limits);

}  // namespace almanac::api
