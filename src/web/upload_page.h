// The upload page, /<db>/-/upload: a CSV, TSV, JSON array or newline-delimited JSON file (or
// pasted data) loaded into a new table, or appended to an existing one, through ingest::Import
// (types detected as `almanac insert` detects them; one transaction, so a failure leaves the
// database as it was).
//
// GET shows the form. POST takes a multipart/form-data body, read as it arrives (the App
// streams this path's bodies): the data part goes to an unnamed temporary file (O_TMPFILE, never
// the uploaded file's name) up to a size cap — the space's disk quota in hosting mode, else
// kDefaultUploadLimit — and is imported on the database's writer thread once the body has
// ended. The answer is the result page, or JSON ({"ok": true, "table": ..., "rows": N, ...})
// for /<db>/-/upload.json or an Accept: application/json request.
//
// The actor needs create-table and insert-row on the database (hidden or refused as on the
// other write pages), and insert-row on an existing table to append to it. CSRF protection is
// the App's, as for every unsafe request. Compressed bodies (gzip, zip) are refused, never
// expanded.
#pragma once

#include <cstdint>
#include <string_view>

#include "web/handlers.h"

namespace almanac::web {

inline constexpr int64_t kDefaultUploadLimit = int64_t{1} << 30;

// True for /<db>/-/upload and /<db>/-/upload.json (base_url already stripped).
bool IsUploadPath(std::string_view path);

// The largest upload accepted, in bytes.
int64_t UploadLimit();

Response HandleUpload(const RouteContext& ctx);

}  // namespace almanac::web
