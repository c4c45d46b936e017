// The identity hand-off from the hosting front door to a space's worker. The front door, having
// authenticated a request itself, sends the actor in one header signed (HMAC-SHA256) with a
// secret only that worker was given at start, with a timestamp:
//     x-almanac-identity: v1.<unix time>.<base64url(actor JSON, or null)>.<hex signature>
// A worker started with a hand-off secret trusts this header and nothing else (no tokens, no
// cookies); a missing, forged, tampered or stale header (outside kHandoffWindowSeconds either
// way) is refused. Pure functions: no sockets, no HTTP types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/actor.h"
#include "core/result.h"

namespace almanac::auth {

inline constexpr std::string_view kIdentityHeader = "x-almanac-identity";
inline constexpr int64_t kHandoffWindowSeconds = 30;

// The header value carrying `actor` (nullopt: anonymous), signed at time `now`.
std::string SignIdentity(std::string_view secret, const MaybeActor& actor, int64_t now);

// The actor the header names, or an Unauthenticated error saying what was wrong with it.
Result<MaybeActor> VerifyIdentity(std::string_view secret, const std::string* header, int64_t now);

}  // namespace almanac::auth
