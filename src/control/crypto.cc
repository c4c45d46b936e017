#include "control/crypto.h"

#include <sodium.h>

#include "core/hex.h"
#include "format/base64.h"

namespace almanac::control {

PasswordCost DefaultPasswordCost() {
  constexpr uint64_t kPasses = 2;
  constexpr size_t kMemoryBytes = size_t{19} * 1024 * 1024;
  return {kPasses, kMemoryBytes};
}

bool InitCrypto() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  if (!InitCrypto()) return Status(ErrorCode::kInternal, "libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.opslimit,
                        cost.memlimit_bytes) != 0) {
    return Status(ErrorCode::kInternal, "Not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!InitCrypto() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, PasswordCost cost) {
  std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost.opslimit, cost.memlimit_bytes) !=
         0;
}

std::string RandomToken(size_t bytes) {
  InitCrypto();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return format::Base64UrlEncode(raw);
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return HexEncode(digest, sizeof digest);
}

std::string HmacHex(std::string_view key, std::string_view message) {
  unsigned char digest[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, digest);
  return HexEncode(digest, sizeof digest);
}

bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace almanac::control
