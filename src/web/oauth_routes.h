// The device-login routes (oauth_routes.cc): the OAuth 2.0 device flow of `dclient login` and
// `almanac client login`. Kept out of handlers.h, which most of web/ includes.
#pragma once

#include "core/status.h"
#include "web/handlers.h"

namespace almanac::web {

Response HandleOAuthDevice(const RouteContext& ctx);  // POST /-/oauth/device
Response HandleOAuthToken(const RouteContext& ctx);   // POST /-/oauth/token
Response HandleOAuthVerify(const RouteContext& ctx);  // GET/POST /-/oauth/device/verify

// Who may mint a token for themselves (create-token, device logins): Datasette's rules
// (auth_routes.cc).
Status CanCreateToken(const api::Instance& instance, const api::Request& request);

}  // namespace almanac::web
