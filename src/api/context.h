// What a page handler sees: the Instance (databases, settings, config, permissions) and the
// Request (method, path, parsed query string, actor). Neither knows about sockets or Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/url_builder.h"
#include "auth/actor.h"
#include "auth/permissions.h"
#include "auth/session.h"
#include "config/config.h"
#include "config/settings.h"
#include "core/result.h"
#include "core/task_pool.h"
#include "core/url.h"
#include "db/database.h"

namespace almanac::changes {
class ChangeLogs;
}
namespace almanac::links {
class LinkIndexes;
}
namespace almanac::http {
class BodyReader;
}

namespace almanac::api {

struct Instance {
  db::Registry& registry;
  const config::Settings& settings;
  const config::Config& config;
  const auth::PermissionEngine& permissions;
  std::string version;  // Almanac's version
  // Secret, token settings and the --root login token; null in tests that need no auth.
  auth::Authenticator* authenticator = nullptr;
  // The SQL threads, for work a request splits across them (parallel facet counts) and for
  // streamed bodies read from SQLite. Handlers themselves run on the I/O thread that read the
  // request; null runs everything on the calling thread.
  TaskPool* pool = nullptr;
  // The databases whose change log is on (config `databases.<db>.changes`); null: none.
  const changes::ChangeLogs* change_logs = nullptr;
  // The databases whose backlinks index is on (config `databases.<db>.links`); null: none.
  const links::LinkIndexes* link_indexes = nullptr;
  // Hosting mode (`serve --space-policy`): a database, table or canned query the actor may not
  // view answers as if it did not exist (404, the same words), and no page names it, so that a
  // visitor of a public table cannot even learn the names of the private ones.
  bool hidden_means_absent = false;
  // Hosting mode with a space policy (cloud/space_policy.h): whether a table is public now (its
  // table page then offers the space's admins to make it private, else public: a form the
  // front door answers), and a number that changes whenever the policy does (pages' ETags
  // include it, since what a visitor may see depends on it). Empty elsewhere.
  std::function<bool(std::string_view database, std::string_view table)> table_is_public;
  std::function<uint64_t()> policy_generation;
  // Hosting mode: the space's own canned queries of a database, kept in its policy as config
  // `queries:` blocks ({name: {"sql", "title", ...}}; null when none), after the config's.
  std::function<std::shared_ptr<const format::JsonValue>(std::string_view database)> space_queries;

  // Links to the instance's pages, under the base_url setting.
  Urls urls() const { return Urls(settings.base_url); }
};

struct Request {
  std::string method = "GET";
  std::string path;          // raw path, as sent (no query string; base_url included)
  std::string query_string;  // raw, without "?"
  QueryArgs args;            // parsed query string
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string scheme = "http";
  std::string host = "localhost";
  std::string body;
  // A body the handler reads as it arrives (http::BodyMode::kStream: the upload page); null
  // when the body was read whole into `body`.
  std::shared_ptr<http::BodyReader> body_reader;
  auth::MaybeActor actor;
  // The matched route's captures as Datasette's request.url_vars (names, raw values, format
  // null when absent), for ?_extra=debug.
  std::vector<std::pair<std::string, std::optional<std::string>>> url_vars;

  // First value of query argument `name`, or nullptr.
  const std::string* Arg(std::string_view name) const;
  // Every value of query argument `name`, in order.
  std::vector<std::string> Args(std::string_view name) const;
  bool HasArg(std::string_view name) const { return Arg(name) != nullptr; }
  const std::string* Header(std::string_view lower_name) const;

  // "http://host" + path_and_query: Datasette builds absolute URLs from the Host header.
  std::string AbsoluteUrl(std::string_view path_and_query) const;
  // The request's path with its query string ("/db/t.json?_size=1").
  std::string PathWithQuery() const;
};

// Query string of `request` with `replacements` applied: each named key's existing values are
// removed and the new value appended at the end (absent values only remove); blank values
// are dropped as parse_qsl drops them. Python's path_with_replaced_args.
std::string PathWithReplacedArgs(
    const Request& request,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& replacements,
    std::string_view path = {});

}  // namespace almanac::api
