// Datasette's validate_sql_select, the text check every arbitrary `?sql=` query passes before it
// runs (canned queries are trusted and skip it): after leading comments and whitespace the
// statement must start with SELECT, WITH or EXPLAIN [QUERY PLAN] SELECT/WITH ("Statement must
// be a SELECT"), and the word "pragma" may appear only as one of the allowed table-valued
// pragma functions (pragma_table_info(...) and the others Datasette lists). The read-only
// authorizer still checks what the statement really does; this check gives clients
// Datasette's answer for the statements it refuses by their text.
#pragma once

#include <string_view>

#include "core/status.h"

namespace almanac::sql {

// InvalidArgument with Datasette's message when `sql` is refused; OK otherwise.
Status ValidateSqlSelect(std::string_view sql);

}  // namespace almanac::sql
