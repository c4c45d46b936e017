// Signed API tokens ("dstok_..."), byte-compatible with Datasette 1.0a37's SignedTokenHandler:
// "dstok_" + URLSafeSerializer(secret, "token").dumps({"a": id, "t": created, "d"?: ttl,
// "_r"?: restrictions}). A token minted by `datasette create-token` verifies here and the other
// way round when both share the secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/actor.h"
#include "core/result.h"
#include "format/json_value.h"

namespace almanac::auth {

inline constexpr std::string_view kTokenPrefix = "dstok_";

// What a token may do (Datasette's TokenRestrictions): an allowlist of actions on everything,
// on named databases, and on named tables/queries. Insertion order is kept, as Python does.
struct TokenRestrictions {
  std::vector<std::string> all;
  std::vector<std::pair<std::string, std::vector<std::string>>> database;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>>>
      resource;

  void AllowAll(std::string action);
  void AllowDatabase(const std::string& database, std::string action);
  void AllowResource(const std::string& database, const std::string& resource, std::string action);
  bool empty() const { return all.empty() && database.empty() && resource.empty(); }
  // The "_r" object with known actions abbreviated ("view-table" -> "vt"), unknown ones kept.
  format::JsonValue Abbreviated() const;
};

struct TokenSpec {
  std::string actor_id;
  int64_t created = 0;                   // "t": Unix seconds
  std::optional<int64_t> expires_after;  // "d": only written when non-zero
  TokenRestrictions restrictions;
};

// The "dstok_..." string.
std::string CreateToken(std::string_view secret, const TokenSpec& spec);

struct TokenSettings {
  bool allow_signed_tokens = true;
  int64_t max_signed_tokens_ttl = 0;  // 0: no cap
};

// nullopt for tokens that are not "dstok_" ones (left to other handlers: anonymous).
// Unauthenticated with Datasette's message for a token that is recognised but rejected:
// "Invalid token signature", "Token has expired", "Invalid token: no timestamp", ...
// The actor is {"id": a, "token": "dstok", "_r"?: ..., "token_expires"?: t + ttl}.
Result<std::optional<Actor>> VerifyToken(std::string_view token, std::string_view secret,
                                         const TokenSettings& settings, int64_t now);

}  // namespace almanac::auth
