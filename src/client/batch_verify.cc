// What BatchSender does when it cannot tell whether a batch was written.
#include <set>

#include "client/insert.h"
#include "client/python_text.h"
#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;

constexpr size_t kCheckChunk = 100;  // primary keys per lookup (URLs stay short)

}  // namespace

Result<std::vector<std::string>> BatchSender::PrimaryKeys() {
  if (pks_) return *pks_;
  if (options_.create && !options_.pks.empty()) {
    pks_ = options_.pks;
    return *pks_;
  }
  std::string path = PathSegment(options_.database) + PathSegment(options_.table) + ".json";
  ALM_ASSIGN_OR_RETURN(HttpResponse response,
                       remote_.Get(path, {{"_size", "0"}, {"_extra", "primary_keys"}}));
  if (response.status != 200) return InvalidArgument(StatusError(response));
  ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(response));
  std::vector<std::string> pks;
  if (const JsonValue* list = data.Find("primary_keys"); list && list->is_array()) {
    for (const JsonValue& pk : list->as_array()) pks.push_back(PyStr(pk));
  }
  pks_ = pks;
  return pks;
}

Result<BatchSender::Outcome> BatchSender::Resolve(const PreparedRows& rows) {
  const RowBatch& batch = *rows.batch;
  size_t begin = rows.begin, end = rows.end;
  std::string where = "batch " + std::to_string(rows.number) + " (rows " +
                      std::to_string(rows.first_row) + "-" +
                      std::to_string(rows.first_row - 1 + static_cast<int64_t>(end - begin)) + ")";
  auto stop = [&](const std::string& why) {
    return Status(ErrorCode::kUnavailable,
                  "Stopped: the connection failed after " + where +
                      " was sent, so it may or may not have been written (" + why + ")." +
                      WrittenBefore(rows));
  };
  Result<std::vector<std::string>> pks = PrimaryKeys();
  if (!pks.ok()) return stop("could not read the table's primary key: " + pks.status().message());
  bool carries_pks = !pks->empty();
  for (size_t i = begin; i < end && carries_pks; ++i) {
    for (const std::string& pk : *pks) {
      const JsonValue* v = batch.Value(i, pk);
      carries_pks = carries_pks && v && !v->is_null();
    }
  }
  if (!carries_pks) return stop("its rows have no primary key to look them up by");
  if (options_.upsert || options_.replace || options_.ignore) return Outcome::kRetry;
  if (pks->size() != 1) return stop("the table has a compound primary key");
  // Plain insert: count how many of the batch's keys are in the table now.
  const std::string& pk = (*pks)[0];
  std::string path = PathSegment(options_.database) + PathSegment(options_.table) + ".json";
  size_t found = 0, wanted = 0;
  for (size_t chunk = begin; chunk < end; chunk += kCheckChunk) {
    JsonValue keys = JsonValue::MakeArray();
    std::set<std::string> distinct;
    for (size_t i = chunk; i < std::min(end, chunk + kCheckChunk); ++i) {
      const JsonValue* v = batch.Value(i, pk);
      if (distinct.insert(PyJsonDumps(*v)).second) keys.as_array().push_back(*v);
    }
    wanted += distinct.size();
    QueryArgs params = {{"_shape", "objects"}, {"_size", "max"}, {pk + "__in", PyJsonDumps(keys)}};
    Result<HttpResponse> response = remote_.Get(path, params);
    if (!response.ok()) return stop("looking the rows up failed: " + response.status().message());
    if (response->status != 200)
      return stop("looking the rows up failed: " + StatusError(*response));
    ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(*response));
    if (const JsonValue* found_rows = data.Find("rows"); found_rows && found_rows->is_array())
      found += found_rows->as_array().size();
  }
  if (found == wanted) return Outcome::kWritten;
  if (found == 0) return Outcome::kRetry;
  return stop(std::to_string(found) + " of its " + std::to_string(wanted) +
              " keys are in the table");
}

}  // namespace almanac::client
