// Signer: itsdangerous-compatible signing, as Datasette uses it for API tokens (salt "token"),
// the ds_actor cookie (salt "actor") and messages. Byte-compatible with
// itsdangerous.URLSafeSerializer(secret, salt): the same secret signs and verifies on both.
//
//   key       = SHA1(salt + "signer" + secret)                 ("django-concat" derivation)
//   signature = base64url(HMAC-SHA1(key, value)), no padding
//   signed    = value + "." + signature
//   payload   = base64url(compact JSON), or "." + base64url(zlib(JSON)) when that is shorter
//
// Verification is strict where Python is lenient: only canonical base64url (no stray
// characters, no padding, zero trailing bits) is accepted, so an accepted value re-signs to
// exactly itself (see docs/compat.md).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::auth {

class Signer {
 public:
  Signer(std::string_view secret, std::string_view salt);

  // value + "." + signature.
  std::string Sign(std::string_view value) const;
  // The value when `signed_value` carries a valid signature; Unauthenticated
  // ("Invalid token signature") otherwise.
  Result<std::string> Unsign(std::string_view signed_value) const;

  // URLSafeSerializer.dumps / loads: JSON payloads, compressed when that is shorter.
  std::string Dumps(const format::JsonValue& payload) const;
  Result<format::JsonValue> Loads(std::string_view signed_value) const;

 private:
  std::string Signature(std::string_view value) const;
  std::string key_;  // the derived 20-byte key
};

// itsdangerous payload encoding without the signature (exposed for tests and the fuzzer).
std::string EncodePayload(const format::JsonValue& payload);
Result<format::JsonValue> DecodePayload(std::string_view encoded);
// JSON exactly as itsdangerous writes it: separators "," and ":", non-ASCII unescaped.
std::string CompactJson(const format::JsonValue& value);

}  // namespace almanac::auth
