#include "format/json_members.h"

#include <simdjson.h>

namespace almanac::format {

Result<JsonValue> ParseJsonMembers(std::string_view text, const std::vector<std::string>& keys) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) return ParseJson(text);  // ParseJson's error message
  JsonValue members = JsonValue::MakeObject();
  simdjson::dom::object object;
  if (root.get(object)) return members;
  for (const std::string& key : keys) {
    simdjson::dom::element value;
    if (object.at_key(key).get(value)) continue;
    // A member is small: its own text, parsed as a document.
    ALM_ASSIGN_OR_RETURN(JsonValue parsed, ParseJson(simdjson::minify(value)));
    members.Set(key, std::move(parsed));
  }
  return members;
}

}  // namespace almanac::format
