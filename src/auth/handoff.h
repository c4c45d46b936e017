// The identity hand-off from the hosting front door to a space's worker. The front door, having
// authenticated a request itself, sends the actor in one header signed (HMAC-SHA256) with a
// secret only that worker was given at start, with a timestamp:
//     x-almanac-identity: v1.<unix time>.<base64url(actor JSON, or null)>.<hex signature>
// A worker started with a hand-off secret trusts this header and nothing else (no tokens, no
// cookies); a missing, forged, tampered or stale header (outside kHandoffWindowSeconds either
// way) is refused. No sockets, no HTTP types. IdentitySigner and IdentityVerifier are the same
// functions with a memory of the last header, for the front door and the worker: within one
// second the front door sends the same header for the same actor, and the worker has already
// checked it (the timestamp's window is checked again at every request).
#pragma once

#include <cstdint>
#include <mutex>
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

// SignIdentity, reusing the last header while the secret, the actor and the second are the same.
// Thread-safe.
class IdentitySigner {
 public:
  std::string Sign(std::string_view secret, const MaybeActor& actor, int64_t now);

 private:
  std::mutex mutex_;
  std::string secret_;
  MaybeActor actor_;  // compared as JSON values: no serialising to find the same actor again
  int64_t time_ = 0;
  std::string header_;
};

// VerifyIdentity for one secret, remembering the last header it accepted: the same header again
// is not verified again (only its timestamp against `now`). Thread-safe.
class IdentityVerifier {
 public:
  Result<MaybeActor> Verify(std::string_view secret, const std::string* header, int64_t now);

 private:
  std::mutex mutex_;
  std::string secret_;
  std::string header_;
  int64_t stamp_ = 0;
  MaybeActor actor_;
};

}  // namespace almanac::auth
