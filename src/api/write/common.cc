#include "api/write/common.h"

#include "core/url.h"
#include "format/json_writer.h"

namespace almanac::api::write {

Result<Answer> RunToCompletion(Result<Outcome> outcome) {
  if (!outcome.ok()) return outcome.status();
  if (outcome->answer) return *outcome->answer;
  PendingWrite& pending = *outcome->pending;
  Status status = pending.db->write_queue()->Run(std::move(pending.work));
  if (!status.ok()) return status;
  return pending.respond();
}

std::vector<std::pair<std::string, std::string>> BlockFramingHeaders() {
  return {{"Content-Security-Policy", "frame-ancestors 'none'"}, {"X-Frame-Options", "DENY"}};
}

Result<format::JsonValue> ParseBody(const Request& request) {
  return format::ParseJson(request.body);
}

void WriteRowObjects(format::JsonWriter& w, const db::Rows& rows) {
  w.BeginArray();
  for (size_t r = 0; r < rows.size(); ++r) {
    w.BeginObject();
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      w.Key(rows.columns[c]);
      w.WriteValue(rows.at(r, c));
    }
    w.EndObject();
  }
  w.EndArray();
}

Body OkRowsBody(const db::Rows* rows) {
  Body body;
  format::JsonWriter w(body.text);
  w.BeginObject();
  w.MemberBool("ok", true);
  if (rows) {
    w.Key("rows");
    WriteRowObjects(w, *rows);
  }
  w.EndObject();
  return body;
}

std::string TableUrl(const Request& request, const Urls& urls, std::string_view database,
                     std::string_view table, bool json) {
  return request.AbsoluteUrl(urls.Table(database, table, json ? "json" : ""));
}

}  // namespace almanac::api::write
