// Sessions: who a request is. The actor comes from `Authorization: Bearer dstok_...` (a signed
// API token) or from the `ds_actor` cookie (salt "actor", payload {"a": actor, "e"?: base62
// expiry}), exactly as Datasette 1.0a37 does it. Also the one-time --root login token.
// Pure functions over header values: no sockets, no HTTP types.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "auth/actor.h"
#include "auth/handoff.h"
#include "auth/token.h"
#include "core/result.h"

namespace almanac::auth {

inline constexpr std::string_view kActorCookie = "ds_actor";

// Datasette's baseconv.base62 (alphabet "A-Z0-9a-z").
std::string Base62Encode(int64_t value);
std::optional<int64_t> Base62Decode(std::string_view text);

// The ds_actor cookie value for `actor`. With `expires_at`, "e" carries it (base62).
std::string MakeActorCookie(std::string_view secret, const format::JsonValue& actor,
                            std::optional<int64_t> expires_at = std::nullopt);
// The actor a ds_actor cookie names, or nullopt when its signature is bad, it has expired
// or it is not of the right shape (Datasette treats all of those as anonymous).
std::optional<Actor> ActorFromCookie(std::string_view secret, std::string_view value, int64_t now);

// The value of cookie `name` in a Cookie header ("a=1; ds_actor=..."), unquoted.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

// Set-Cookie header values, as Datasette's Response.set_cookie writes them.
std::string SetActorCookieHeader(std::string_view value);
std::string ClearActorCookieHeader();

// Everything needed to authenticate requests, shared by every request of one server.
class Authenticator {
 public:
  Authenticator(std::string secret, TokenSettings settings, std::string root_token = {})
      : secret_(std::move(secret)), settings_(settings), root_token_(std::move(root_token)) {}

  const std::string& secret() const { return secret_; }
  const TokenSettings& token_settings() const { return settings_; }

  // The request's actor from its Authorization and Cookie headers (either may be null).
  // A Bearer token that is recognised but invalid is an Unauthenticated error (a 401 before
  // routing); other Bearer tokens are ignored. A valid Bearer token wins over the cookie.
  Result<MaybeActor> Authenticate(const std::string* authorization, const std::string* cookie,
                                  int64_t now) const;

  // Hosting mode (`serve --handoff-secret-fd`): requests are authenticated by the front door's
  // signed identity header alone (auth/handoff.h); tokens and cookies are ignored.
  void RequireHandoff(std::string secret) { handoff_secret_ = std::move(secret); }
  bool handoff() const { return !handoff_secret_.empty(); }
  // The actor of the identity header (nullptr when absent), or Unauthenticated.
  Result<MaybeActor> AuthenticateHandoff(const std::string* identity, int64_t now) const;

  // --root: the one-time token printed at start-up. Consume() succeeds once, for the right
  // token; the error is Datasette's message ("Root token has already been used",
  // "Invalid token").
  Status ConsumeRootToken(std::string_view token);

 private:
  std::string secret_;
  TokenSettings settings_;
  std::mutex root_mutex_;
  std::string root_token_;  // empty once used (or when --root was not given)
  std::string handoff_secret_;
  mutable IdentityVerifier handoff_verifier_;  // remembers the last header it accepted
};

}  // namespace almanac::auth
