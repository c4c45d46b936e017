// App: the Datasette application as an http::Handler. For each request it turns the
// transport's Request into an api::Request, applies CSRF protection to unsafe methods,
// resolves the actor (Bearer token or ds_actor cookie; an invalid token is a 401 right there),
// takes base_url off the path, finds the route in the route table and runs its handler, then
// adds the headers every page gets (JSON twin Link, flash-message cookie, CORS) and draws HTML
// error pages with the UI's layout. Runs on the I/O thread that read the request, or, for a
// read whose SQL outgrows the fast lane, again on the slow lane (AppOptions).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "api/context.h"
#include "core/task_pool.h"
#include "http/handler.h"
#include "ui/renderer.h"

namespace almanac::web {

struct AppOptions {
  bool cors = false;  // --cors
  // The slow lane (--slow-lane-ms): a GET whose SQL runs longer than `fast_lane` on the I/O
  // thread is interrupted there and run again on `slow_lane`'s threads, so that slow queries
  // never hold the I/O threads that answer everyone else. Null: everything runs in place.
  TaskPool* slow_lane = nullptr;
  std::chrono::milliseconds fast_lane{20};
};

class App : public http::Handler {
 public:
  App(const api::Instance& instance, AppOptions options, const ui::Renderer& renderer)
      : instance_(instance), options_(options), renderer_(renderer) {}

  // Streams the body of an upload (web/upload_page.h); buffers every other one.
  http::BodyMode BodyModeFor(const http::Request& head) const override;
  http::Response Handle(http::Request& request) override;
  // Datasette's JSON error body for the errors the transport finds (413, 431, ...).
  http::Response Error(int status, std::string message) const override;

  // The same as Handle, for an api::Request built by hand (tests, `serve --get`).
  http::Response HandleApiRequest(api::Request& request) const;

 private:
  std::optional<http::Response> Authenticate(api::Request& request) const;
  http::Response Route(api::Request& request) const;

  const api::Instance& instance_;
  AppOptions options_;
  const ui::Renderer& renderer_;
};

}  // namespace almanac::web
