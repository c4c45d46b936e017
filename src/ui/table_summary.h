// Internal to ui/: the parts of the table page drawn from the query engine's results — the
// row count and its description, the search box, facets (with their charts), suggested
// facets, and extra where clauses.
#pragma once

#include "api/pages.h"
#include "ui/charts.h"
#include "ui/view.h"

namespace almanac::ui {

// Sets count_text, human_description, count_all_href, supports_search, search, has_facets,
// facets, suggested_facets, facets_timed_out and extra_wheres on `data`.
void AddTableSummary(Data& data, const api::TablePage& page, const RenderContext& ctx);

// A facet of the model as the charts and the template see it.
FacetView ToFacetView(const api::FacetResult& facet, const api::Request& request);

}  // namespace almanac::ui
