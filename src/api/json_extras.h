// JSON for the table page's ?_extra= blocks (count, facets, suggestions, ...) and for the
// plain-data extras every page carries in `extra_json`. Used by api/json_output.cc.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/pages.h"
#include "format/json_value.h"
#include "format/json_writer.h"

namespace almanac::api {

// Writes each block named in page.extras as a member of the object being written.
void WriteTableExtras(format::JsonWriter& w, const TablePage& page);

// Writes each (name, value) as a member of the object being written.
void WriteExtraJson(format::JsonWriter& w,
                    const std::vector<std::pair<std::string, format::JsonValue>>& extras);

// The facets in Datasette's display order: configured ones first (in config order), then the
// others by number of values and name, descending.
std::vector<const FacetResult*> SortedFacets(const TablePage& page,
                                             const std::vector<std::string>& configured);

}  // namespace almanac::api
