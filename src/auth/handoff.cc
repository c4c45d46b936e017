#include "auth/handoff.h"

#include <charconv>
#include <optional>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/hex.h"
#include "format/base64.h"
#include "format/json_value.h"

namespace almanac::auth {
namespace {

std::string Signature(std::string_view secret, std::string_view signed_part) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), digest,
       &length);
  return HexEncode(digest, length);
}

Status Refused(std::string why) {
  return Status(ErrorCode::kUnauthenticated, "Identity hand-off refused: " + std::move(why));
}

std::string SignedPart(const std::string& payload, int64_t now) {
  return "v1." + std::to_string(now) + "." + format::Base64UrlEncode(payload);
}

std::string PayloadOf(const MaybeActor& actor) {
  return actor ? format::ToJsonText(actor->data) : "null";
}

// The header's timestamp and actor, once its signature is known to be right.
Result<std::pair<int64_t, MaybeActor>> ReadSigned(std::string_view signed_part) {
  std::string_view rest = signed_part.substr(3);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return Refused("malformed header");
  int64_t stamp = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + dot, stamp);
  if (error != std::errc() || end != rest.data() + dot) return Refused("malformed timestamp");
  std::optional<std::string> payload = format::Base64UrlDecode(rest.substr(dot + 1));
  if (!payload) return Refused("malformed actor");
  Result<format::JsonValue> parsed = format::ParseJson(*payload);
  if (!parsed.ok()) return Refused("malformed actor");
  if (parsed->is_null()) return std::pair<int64_t, MaybeActor>(stamp, MaybeActor());
  if (!parsed->is_object()) return Refused("the actor is not an object");
  return std::pair<int64_t, MaybeActor>(stamp, MaybeActor(Actor{std::move(parsed).value()}));
}

Status CheckWindow(int64_t stamp, int64_t now) {
  if (stamp < now - kHandoffWindowSeconds || stamp > now + kHandoffWindowSeconds) {
    return Refused("stale or replayed header");
  }
  return Status::Ok();
}

// A header whose signature is right: its timestamp and actor (the window is the caller's).
Result<std::pair<int64_t, MaybeActor>> VerifySigned(std::string_view secret,
                                                    const std::string* header) {
  if (!header) return Refused("this server only answers requests from its front door");
  std::string_view value(*header);
  size_t last_dot = value.rfind('.');
  if (!value.starts_with("v1.") || last_dot == std::string_view::npos) {
    return Refused("malformed header");
  }
  std::string_view signed_part = value.substr(0, last_dot);
  std::string expected = Signature(secret, signed_part);
  std::string_view given = value.substr(last_dot + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return Refused("bad signature");
  }
  return ReadSigned(signed_part);
}

}  // namespace

std::string SignIdentity(std::string_view secret, const MaybeActor& actor, int64_t now) {
  std::string signed_part = SignedPart(PayloadOf(actor), now);
  return signed_part + "." + Signature(secret, signed_part);
}

Result<MaybeActor> VerifyIdentity(std::string_view secret, const std::string* header, int64_t now) {
  ALM_ASSIGN_OR_RETURN(auto checked, VerifySigned(secret, header));
  ALM_RETURN_IF_ERROR(CheckWindow(checked.first, now));
  return std::move(checked.second);
}

std::string IdentitySigner::Sign(std::string_view secret, const MaybeActor& actor, int64_t now) {
  {
    std::lock_guard lock(mutex_);
    if (now == time_ && !header_.empty() && secret == secret_ &&
        actor.has_value() == actor_.has_value() && (!actor || actor->data == actor_->data)) {
      return header_;
    }
  }
  std::string signed_part = SignedPart(PayloadOf(actor), now);
  std::string header = signed_part + "." + Signature(secret, signed_part);
  std::lock_guard lock(mutex_);
  secret_ = std::string(secret);
  actor_ = actor;
  time_ = now;
  header_ = header;
  return header;
}

Result<MaybeActor> IdentityVerifier::Verify(std::string_view secret, const std::string* header,
                                            int64_t now) {
  if (header) {
    std::lock_guard lock(mutex_);
    if (!header_.empty() && *header == header_ && secret == secret_) {
      ALM_RETURN_IF_ERROR(CheckWindow(stamp_, now));
      return actor_;
    }
  }
  ALM_ASSIGN_OR_RETURN(auto checked, VerifySigned(secret, header));
  {
    std::lock_guard lock(mutex_);
    secret_ = std::string(secret);
    header_ = *header;
    stamp_ = checked.first;
    actor_ = checked.second;
  }
  ALM_RETURN_IF_ERROR(CheckWindow(checked.first, now));
  return std::move(checked.second);
}

}  // namespace almanac::auth
