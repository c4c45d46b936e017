// The control plane's cryptography, all from libsodium: password hashes (argon2id), random
// secrets, SHA-256 for stored token hashes and HMAC-SHA256 for signed cookie and link values.
//
// Password cost (docs/cloud.md, "Accounts"): argon2id with libsodium's INTERACTIVE limits,
// opslimit 2 and memlimit 64 MiB (crypto_pwhash_OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE),
// which is what libsodium recommends for online sign-in. The parameters are stored in each hash
// ($argon2id$v=19$m=65536,t=2,p=1$...), so raising them later needs no migration:
// NeedsRehash tells when a stored hash is weaker than today's and is re-hashed at sign-in.
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
// The cost new hashes get (argon2id, INTERACTIVE).
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
