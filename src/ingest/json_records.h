// The RecordSource over JSON objects (used by OpenRecords): keys become columns in order of
// first appearance; bools bind as 1/0, arrays and nested objects as JSON text (or flattened to
// a_b columns), {"$base64": true, "encoded": ...} as blobs.
#pragma once

#include <memory>

#include "ingest/json_reader.h"
#include "ingest/record_source.h"

namespace almanac::ingest {

std::unique_ptr<RecordSource> MakeJsonRecords(std::unique_ptr<ByteSource> bytes,
                                              JsonReader::Layout layout, bool flatten,
                                              InputFormat format);

}  // namespace almanac::ingest
