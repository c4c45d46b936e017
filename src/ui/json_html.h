// A JSON document as readable HTML for the /-/ pages: objects as definition lists, lists of
// objects that share keys as tables, other lists as bullet lists. Every string escaped.
#pragma once

#include <string>

#include "format/json_value.h"

namespace almanac::ui {

std::string JsonToHtml(const format::JsonValue& value);

}  // namespace almanac::ui
