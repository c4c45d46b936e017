// The row page: /<db>/<table>/<pk1,pk2>(.json). Primary key values are tilde-encoded and
// comma-joined; rowid tables are addressed by rowid.
#pragma once

#include <string_view>

#include "api/context.h"
#include "api/pages.h"

namespace almanac::api {

Result<RowPage> BuildRowPage(const Instance& instance, const Request& request,
                             std::string_view database, std::string_view table,
                             std::string_view pks_path);

// For the HTML row page, as the table page shows them: each outgoing foreign key's target table
// and the label of the row it points to (Datasette's row page expands them as the table page
// does). Tables the actor may not view get no label.
Status LabelRowForeignKeys(const Instance& instance, const Request& request, RowPage& page);

}  // namespace almanac::api
