// The control plane's cryptography, all from libsodium: password hashes (argon2id), random
// secrets, SHA-256 for stored token hashes and HMAC-SHA256 for signed cookie and link values.
//
// Password cost (docs/cloud.md, "Accounts"): argon2id with OWASP's recommended configuration
// (Password Storage Cheat Sheet): 2 passes over 19 MiB, one lane — about 11 ms a hash on this
// machine's cores, so that a sign-in and the first page of a cold space fit in 50 ms, where
// libsodium's INTERACTIVE limits (2 passes over 64 MiB) take about 50 ms alone. The parameters
// are stored in each hash ($argon2id$v=19$m=19456,t=2,p=1$...), so changing them later needs
// no migration: NeedsRehash tells when a stored hash was made with other parameters than
// today's, and it is re-hashed at the next sign-in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace almanac::control {

struct PasswordCost {
  uint64_t opslimit;
  size_t memlimit_bytes;
};
// The cost new hashes get (argon2id, OWASP's 19 MiB and 2 passes).
PasswordCost DefaultPasswordCost();

// Initialises libsodium (idempotent, thread-safe); false when it cannot be used.
bool InitCrypto();

// crypto_pwhash_str: the encoded argon2id hash of `password` (an Internal error when the
// memory for it cannot be had).
Result<std::string> HashPassword(std::string_view password, PasswordCost cost);
// True when `password` matches `hash` (constant time in the password).
bool VerifyPassword(std::string_view hash, std::string_view password);
// True when `hash` was made with other parameters than `cost`.
bool NeedsRehash(std::string_view hash, PasswordCost cost);

// `bytes` random bytes as URL-safe base64 without padding.
std::string RandomToken(size_t bytes);
// Lower-case hex SHA-256 of `text` (how tokens, sessions and invitations are stored).
std::string Sha256Hex(std::string_view text);
// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string HmacHex(std::string_view key, std::string_view message);
// Constant-time comparison of two strings of any length.
bool SameSecret(std::string_view a, std::string_view b);

}  // namespace almanac::control
