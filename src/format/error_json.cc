#include "format/error_json.h"

#include "format/json_writer.h"

namespace almanac::format {

std::string ErrorJson(const std::vector<std::string>& messages, int http_status) {
  std::string joined;
  for (const std::string& message : messages) {
    if (!joined.empty()) joined += "; ";
    joined += message;
  }
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.MemberBool("ok", false);
  w.Member("error", joined);
  w.Key("errors");
  w.BeginArray();
  for (const std::string& message : messages) w.String(message);
  w.EndArray();
  w.Member("status", http_status);
  w.EndObject();
  return out;
}

}  // namespace almanac::format
