// Dispatch: runs one request to completion — route it, call the page handler, render the
// model as JSON or HTML, add the caching/Link/CORS headers, and turn errors into Datasette's
// error responses (HTML ones drawn by the ui::Renderer). Synchronous; the server calls it on a
// SQL thread. Before routing it applies CSRF protection to unsafe methods and resolves the
// actor (Bearer token or ds_actor cookie) into api::Request::actor; an invalid token is
// answered 401 right there.
#pragma once

#include <optional>

#include "api/context.h"
#include "http/response.h"
#include "ui/renderer.h"

namespace almanac::http {

struct DispatchOptions {
  bool cors = false;  // --cors
};

class Dispatcher {
 public:
  Dispatcher(const api::Instance& instance, DispatchOptions options, const ui::Renderer& renderer)
      : instance_(instance), options_(options), renderer_(renderer) {}

  Response Handle(api::Request& request) const;

 private:
  std::optional<Response> Authenticate(api::Request& request) const;
  Response Route(api::Request& request) const;

  const api::Instance& instance_;
  DispatchOptions options_;
  const ui::Renderer& renderer_;
};

}  // namespace almanac::http
