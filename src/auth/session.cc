#include "auth/session.h"

#include <openssl/crypto.h>

#include "auth/signer.h"

namespace almanac::auth {
namespace {

constexpr std::string_view kBase62 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Base62Encode(int64_t value) {
  bool negative = value < 0;
  uint64_t x = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  if (x == 0) return std::string(1, kBase62[0]);
  std::string out;
  while (x > 0) {
    out.insert(out.begin(), kBase62[x % 62]);
    x /= 62;
  }
  return negative ? "-" + out : out;
}

std::optional<int64_t> Base62Decode(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 10) return std::nullopt;  // 62^10 > 2^59: no overflow
  int64_t x = 0;
  for (char c : text) {
    size_t digit = kBase62.find(c);
    if (digit == std::string_view::npos) return std::nullopt;
    x = x * 62 + static_cast<int64_t>(digit);
  }
  return negative ? -x : x;
}

std::string MakeActorCookie(std::string_view secret, const format::JsonValue& actor,
                            std::optional<int64_t> expires_at) {
  format::JsonValue payload = format::JsonValue::MakeObject({{"a", actor}});
  if (expires_at) payload.Set("e", format::JsonValue::String(Base62Encode(*expires_at)));
  return Signer(secret, "actor").Dumps(payload);
}

std::optional<Actor> ActorFromCookie(std::string_view secret, std::string_view value, int64_t now) {
  Result<format::JsonValue> decoded = Signer(secret, "actor").Loads(value);
  if (!decoded.ok() || !decoded->is_object()) return std::nullopt;
  const format::JsonValue* actor = decoded->Find("a");
  if (!actor) return std::nullopt;
  if (const format::JsonValue* e = decoded->Find("e"); e && e->Truthy()) {
    std::optional<int64_t> expires = e->is_string() ? Base62Decode(e->as_string()) : std::nullopt;
    if (!expires || now > *expires) return std::nullopt;
  }
  // Datasette's actor is whatever "a" holds; anything but an object means anonymous here,
  // since every permission rule reads the actor as an object.
  if (!actor->is_object()) return std::nullopt;
  return Actor{*actor};
}

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  std::optional<std::string> found;
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view part = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || Trim(part.substr(0, eq)) != name) continue;
    std::string_view value = Trim(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    found = std::string(value);  // the last one wins, as with Python's SimpleCookie
  }
  return found;
}

std::string SetActorCookieHeader(std::string_view value) {
  return std::string(kActorCookie) + "=" + std::string(value) + "; Path=/; SameSite=lax";
}

std::string ClearActorCookieHeader() {
  return std::string(kActorCookie) +
         "=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=lax";
}

Result<MaybeActor> Authenticator::Authenticate(const std::string* authorization,
                                               const std::string* cookie, int64_t now) const {
  MaybeActor actor;
  if (authorization && authorization->starts_with("Bearer ")) {
    std::string_view token = std::string_view(*authorization).substr(7);
    ALM_ASSIGN_OR_RETURN(actor, VerifyToken(token, secret_, settings_, now));
  }
  if (!actor && cookie) {
    if (std::optional<std::string> value = CookieValue(*cookie, kActorCookie)) {
      actor = ActorFromCookie(secret_, *value, now);
    }
  }
  return actor;
}

Result<MaybeActor> Authenticator::AuthenticateHandoff(const std::string* identity,
                                                      int64_t now) const {
  return handoff_verifier_.Verify(handoff_secret_, identity, now);
}

Status Authenticator::ConsumeRootToken(std::string_view token) {
  std::lock_guard lock(root_mutex_);
  if (root_token_.empty()) return PermissionDenied("Root token has already been used");
  if (token.size() != root_token_.size() ||
      CRYPTO_memcmp(token.data(), root_token_.data(), token.size()) != 0) {
    return PermissionDenied("Invalid token");
  }
  root_token_.clear();
  return Status::Ok();
}

}  // namespace almanac::auth
