// Dispatch: runs one request to completion — route it, call the page handler, render the
// model as JSON or HTML, add the caching/Link/CORS headers, and turn errors into Datasette's
// error responses. Synchronous; the server calls it on a SQL thread. Before routing it applies
// CSRF protection to unsafe methods and resolves the actor (Bearer token or ds_actor cookie)
// into api::Request::actor; an invalid token is answered 401 right there.
#pragma once

#include <optional>

#include "api/context.h"
#include "http/response.h"

namespace almanac::http {

struct DispatchOptions {
  bool cors = false;  // --cors
};

class Dispatcher {
 public:
  Dispatcher(const api::Instance& instance, DispatchOptions options)
      : instance_(instance), options_(options) {}

  Response Handle(api::Request& request) const;

 private:
  std::optional<Response> Authenticate(api::Request& request) const;
  Response Route(api::Request& request) const;

  const api::Instance& instance_;
  DispatchOptions options_;
};

}  // namespace almanac::http
