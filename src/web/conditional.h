// Conditional GETs for the table, row and query pages. A page's ETag is made from what its
// answer depends on besides the URL: the database's change generation (with a per-process
// nonce, or for an immutable file its content hash, so that tags never repeat across
// restarts), the instance's configuration and version, and the actor when there is one. A
// request whose If-None-Match names the current tag (in any Content-Encoding: the transport
// adds "-gzip" to the tags of compressed answers) is answered 304 after the page's permission
// check and before its SQL runs. Pages whose answer may differ for the same tag get none:
// memory databases, SQL that reads the clock or random numbers or magic parameters, flash
// messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "http/message.h"

namespace almanac::web {

using http::Response;

// The tag of a page of `database` for `request` (the caller has checked the page's
// permission), or nullopt when it cannot have one. `user_sql` is the SQL text the request
// supplies (?sql=, ?_where=), checked for functions whose answer varies.
std::optional<std::string> PageEtag(const api::Instance& instance, const api::Request& request,
                                    std::string_view database, std::string_view user_sql);

// A 304 for `request` when its If-None-Match names `etag`: with that tag as the client sent
// it, and Cache-Control for `ttl` (private with an actor).
std::optional<Response> NotModified(const api::Request& request, const std::string& etag,
                                    int64_t ttl);

// True when `sql` may answer differently without the database changing (random(), the
// current date or time, changes(), magic parameters).
bool SqlMayVary(std::string_view sql);

}  // namespace almanac::web
