// DeviceFlow: the pending logins of the OAuth 2.0 device authorization grant (RFC 8628) as
// dclient's `login` runs it. A client starts a login and gets a secret device code and a short
// user code; a signed-in user approves (or denies) the user code on the verify page; the
// client's next poll gets its answer once. Pending logins live in memory for kLifetime (a
// restart forgets them) and are bounded in number. Thread-safe. No HTTP here: web/oauth_routes.cc
// is the protocol.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token.h"
#include "core/result.h"

namespace almanac::auth {

// A login's requested scope, dclient's `scope` form field: a JSON array of [action],
// [action, database] or [action, database, resource]. Empty text: no restrictions asked for.
Result<TokenRestrictions> ParseDeviceScope(std::string_view scope_json);

// An OAuth error body (RFC 6749 5.2): {"ok": false, "error": code, "error_description": ...,
// "status": status}, as every Almanac error body has "ok" and "status".
std::string OAuthErrorJson(int status, std::string_view code, std::string_view description);

// The grant_type of a device-flow token request.
inline constexpr std::string_view kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

// "abcd-efgh", " ABCDEFGH " -> "ABCDEFGH": what a person typed, as the stored user code.
std::string NormalizeUserCode(std::string_view typed);

class DeviceFlow {
 public:
  static constexpr int64_t kLifetime = 900;  // seconds a code pair stays valid
  static constexpr int kInterval = 2;        // seconds a client waits between polls
  static constexpr size_t kMaxPending = 1000;

  struct Started {
    std::string device_code;  // 64 hex digits, for the client only
    std::string user_code;    // "BCDF-GHJK": eight consonants, shown to the user
  };
  // A new pending login (`scope` already validated). Unavailable when kMaxPending are pending.
  Result<Started> Start(std::string scope, int64_t now);

  // The scope of the pending (undecided, unexpired) login with this user code.
  std::optional<std::string> PendingScope(std::string_view user_code, int64_t now);
  // Approves the pending login for `actor_id`, or denies it (nullopt). NotFound when no
  // pending login has this user code (unknown, expired or already decided).
  Status Decide(std::string_view user_code, std::optional<std::string> actor_id, int64_t now);

  enum class State { kPending, kApproved, kDenied, kExpired, kUnknown };
  struct Poll {
    State state = State::kUnknown;
    std::string actor_id;  // kApproved
    std::string scope;     // kApproved
  };
  // The login's state. A decided or expired login is reported once and then forgotten.
  Poll Take(std::string_view device_code, int64_t now);

 private:
  struct Login {
    std::string user_code;
    std::string scope;
    int64_t expires_at = 0;
    State state = State::kPending;
    std::string actor_id;
  };
  void DropExpired(int64_t now);                                   // under mutex_
  Login* FindByUserCode(std::string_view user_code, int64_t now);  // under mutex_

  std::mutex mutex_;
  std::map<std::string, Login, std::less<>> by_device_code_;
};

// The OAuth error (RFC 8628 3.5) a token request gets for a login in `state`; nullopt when it
// was approved.
struct DevicePollError {
  std::string_view code;
  std::string_view description;
};
std::optional<DevicePollError> PollErrorOf(DeviceFlow::State state);

}  // namespace almanac::auth
