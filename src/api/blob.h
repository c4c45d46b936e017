// `.blob` downloads (Datasette's blob_renderer): the bytes of one cell of a page's rows —
// /db/table/pk.blob?_blob_column=data for a row, and for tables and queries the row whose
// value hashes to ?_blob_hash= (SHA-256, hex), else the first row. Served as
// application/binary with `Content-Disposition: attachment; filename="<table>-<pks>-
// <column>-<hash6>.blob"` and `X-Content-Type-Options: nosniff`.
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "db/rows.h"

namespace almanac::api {

struct BlobBody {
  std::string bytes;
  std::string filename;
};

// `table` is empty for queries; `pks` is the row page's URL segment, empty elsewhere.
// InvalidArgument with Datasette's messages for a missing or unknown _blob_column and for a
// hash that matches no row; NotFound when there is no row.
Result<BlobBody> RenderBlob(const Request& request, const db::Rows& rows, std::string_view table,
                            std::string_view pks);

// Datasette's to_css_class: `s` when it is a valid CSS class, else its valid characters plus
// the first six hex digits of md5(s).
std::string ToCssClass(std::string_view s);

}  // namespace almanac::api
