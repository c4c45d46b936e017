// The JSON body of an error answer, the same everywhere (a server's pages, the hosting front
// door): {"ok": false, "error": "a; b", "errors": ["a", "b"], "status": N}.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace almanac::format {

// "error" is the messages joined with "; ", as Status::message() joins them.
std::string ErrorJson(const std::vector<std::string>& messages, int http_status);
inline std::string ErrorJson(const Status& status, int http_status) {
  return ErrorJson(status.messages(), http_status);
}

}  // namespace almanac::format
