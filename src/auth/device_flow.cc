#include "auth/device_flow.h"

#include <openssl/rand.h>

#include "core/hex.h"
#include "format/json_value.h"

namespace almanac::auth {
namespace {

// RFC 8628 §6.1: consonants only (no vowels, so no words; no look-alikes such as 0/O).
constexpr std::string_view kUserCodeLetters = "BCDFGHJKLMNPQRSTVWXZ";

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return HexEncode(raw);
}

std::string RandomUserCode() {
  unsigned char raw[8];
  RAND_bytes(raw, sizeof raw);
  std::string code;
  for (unsigned char b : raw) {
    // 256 % 20 != 0: the slight bias does not matter for a code that lives 15 minutes and is
    // only useful to someone already signed in.
    code += kUserCodeLetters[b % kUserCodeLetters.size()];
  }
  return code;
}

}  // namespace

Result<TokenRestrictions> ParseDeviceScope(std::string_view scope_json) {
  TokenRestrictions restrictions;
  if (scope_json.empty()) return restrictions;
  Result<format::JsonValue> parsed = format::ParseJson(scope_json);
  if (!parsed.ok() || !parsed->is_array()) {
    return InvalidArgument("scope must be a JSON array of [action, database?, resource?] lists");
  }
  for (const format::JsonValue& item : parsed->as_array()) {
    bool good = item.is_array() && !item.as_array().empty() && item.as_array().size() <= 3;
    for (size_t i = 0; good && i < item.as_array().size(); ++i) {
      good = item.as_array()[i].is_string() && !item.as_array()[i].as_string().empty();
    }
    if (!good) {
      return InvalidArgument(
          "each scope entry must be [action], [action, database] or "
          "[action, database, resource]");
    }
    const auto& parts = item.as_array();
    if (parts.size() == 1) {
      restrictions.AllowAll(parts[0].as_string());
    } else if (parts.size() == 2) {
      restrictions.AllowDatabase(parts[1].as_string(), parts[0].as_string());
    } else {
      restrictions.AllowResource(parts[1].as_string(), parts[2].as_string(), parts[0].as_string());
    }
  }
  return restrictions;
}

std::string NormalizeUserCode(std::string_view typed) {
  std::string code;
  for (char c : typed) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') code += c;
  }
  return code;
}

void DeviceFlow::DropExpired(int64_t now) {
  for (auto it = by_device_code_.begin(); it != by_device_code_.end();) {
    // Kept one lifetime past expiry, so that a client still polling hears expired_token.
    it = it->second.expires_at + kLifetime <= now ? by_device_code_.erase(it) : std::next(it);
  }
}

DeviceFlow::Login* DeviceFlow::FindByUserCode(std::string_view user_code, int64_t now) {
  std::string wanted = NormalizeUserCode(user_code);
  for (auto& [device_code, login] : by_device_code_) {
    if (login.user_code == wanted && login.state == State::kPending && now < login.expires_at) {
      return &login;
    }
  }
  return nullptr;
}

std::string OAuthErrorJson(int status, std::string_view code, std::string_view description) {
  using format::JsonValue;
  JsonValue body =
      JsonValue::MakeObject({{"ok", JsonValue::Bool(false)},
                             {"error", JsonValue::String(std::string(code))},
                             {"error_description", JsonValue::String(std::string(description))},
                             {"status", JsonValue::Int(status)}});
  return format::ToJsonText(body);
}

Result<DeviceFlow::Started> DeviceFlow::Start(std::string scope, int64_t now) {
  std::lock_guard lock(mutex_);
  DropExpired(now);
  if (by_device_code_.size() >= kMaxPending) {
    return Status(ErrorCode::kUnavailable, "Too many logins are waiting: try again later");
  }
  std::string user_code;
  do {
    user_code = RandomUserCode();
  } while (FindByUserCode(user_code, now));
  Started started{RandomHex(32), user_code.substr(0, 4) + "-" + user_code.substr(4)};
  by_device_code_[started.device_code] =
      Login{user_code, std::move(scope), now + kLifetime, State::kPending, ""};
  return started;
}

std::optional<std::string> DeviceFlow::PendingScope(std::string_view user_code, int64_t now) {
  std::lock_guard lock(mutex_);
  Login* login = FindByUserCode(user_code, now);
  if (!login) return std::nullopt;
  return login->scope;
}

Status DeviceFlow::Decide(std::string_view user_code, std::optional<std::string> actor_id,
                          int64_t now) {
  std::lock_guard lock(mutex_);
  Login* login = FindByUserCode(user_code, now);
  if (!login) return NotFound("No login is waiting for this code: it may have expired");
  login->state = actor_id ? State::kApproved : State::kDenied;
  login->actor_id = actor_id.value_or("");
  return Status::Ok();
}

DeviceFlow::Poll DeviceFlow::Take(std::string_view device_code, int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = by_device_code_.find(device_code);
  if (it == by_device_code_.end()) return {};
  Login& login = it->second;
  Poll poll;
  if (login.state == State::kPending && now >= login.expires_at) {
    poll.state = State::kExpired;
  } else {
    poll.state = login.state;
  }
  if (poll.state == State::kPending) return poll;
  poll.actor_id = std::move(login.actor_id);
  poll.scope = std::move(login.scope);
  by_device_code_.erase(it);
  return poll;
}

std::optional<DevicePollError> PollErrorOf(DeviceFlow::State state) {
  switch (state) {
    case DeviceFlow::State::kPending:
      return DevicePollError{"authorization_pending", "The code has not been approved yet"};
    case DeviceFlow::State::kDenied:
      return DevicePollError{"access_denied", "The login was denied"};
    case DeviceFlow::State::kExpired:
      return DevicePollError{"expired_token", "The code expired before it was approved"};
    case DeviceFlow::State::kUnknown:
      return DevicePollError{"invalid_grant", "Unknown or already used device_code"};
    case DeviceFlow::State::kApproved:
      break;
  }
  return std::nullopt;
}

}  // namespace almanac::auth
