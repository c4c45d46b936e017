// One request answered without opening a port: `almanac serve FILES --get PATH`, Datasette's
// `datasette --get`. The request goes through the same handler as a served one; its body is
// printed (streamed bodies as they come), with the status line and headers first when asked.
#pragma once

#include <cstdio>
#include <string>

#include "http/handler.h"

namespace almanac::cli {

struct OneRequest {
  std::string target;          // "/db/table.json?_size=1"
  bool print_headers = false;  // --headers: "HTTP/1.1 STATUS", the headers, a blank line
  std::string token;           // --token: sent as "Authorization: Bearer TOKEN"
  std::string actor_cookie;    // --actor: a signed ds_actor cookie value
};

// Answers `request` with `handler`, prints to `out`, and returns the exit status: 0 for a 200
// answer, 1 otherwise (as Datasette's --get: 3xx, 4xx and 5xx all exit 1).
int AnswerOneRequest(http::Handler& handler, const OneRequest& request, std::FILE* out);

}  // namespace almanac::cli
