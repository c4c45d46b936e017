// The libcrypto (OpenSSL) functions Almanac calls, loaded at their first call instead of
// at every start of the binary (core/lazy_library.h): a server that has answered only
// anonymous JSON never maps libcrypto, whose relocated tables alone are ~400 KB of private
// memory per process. Hashes (blob and CSV names, database colours), HMAC (signed tokens and
// cookies), immutable files' content hashes and random bytes come from here.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "core/lazy_library.h"

namespace {
almanac::LazyLibrary crypto(ALM_CRYPTO_SONAME, "almanac");
}  // namespace

ALM_LAZY_FUNCTION(crypto, int, CRYPTO_memcmp, (const void* a, const void* b, size_t len),
                  (a, b, len))
ALM_LAZY_FUNCTION(crypto, int, EVP_Digest,
                  (const void* data, size_t count, unsigned char* md, unsigned int* size,
                   const EVP_MD* type, ENGINE* impl),
                  (data, count, md, size, type, impl))
ALM_LAZY_FUNCTION(crypto, EVP_MD_CTX*, EVP_MD_CTX_new, (void), ())
ALM_LAZY_FUNCTION(crypto, void, EVP_MD_CTX_free, (EVP_MD_CTX * ctx), (ctx))
ALM_LAZY_FUNCTION(crypto, int, EVP_DigestInit_ex,
                  (EVP_MD_CTX * ctx, const EVP_MD* type, ENGINE* impl), (ctx, type, impl))
ALM_LAZY_FUNCTION(crypto, int, EVP_DigestUpdate, (EVP_MD_CTX * ctx, const void* d, size_t cnt),
                  (ctx, d, cnt))
ALM_LAZY_FUNCTION(crypto, int, EVP_DigestFinal_ex,
                  (EVP_MD_CTX * ctx, unsigned char* md, unsigned int* s), (ctx, md, s))
ALM_LAZY_FUNCTION(crypto, const EVP_MD*, EVP_md5, (void), ())
ALM_LAZY_FUNCTION(crypto, const EVP_MD*, EVP_sha1, (void), ())
ALM_LAZY_FUNCTION(crypto, const EVP_MD*, EVP_sha256, (void), ())
ALM_LAZY_FUNCTION(crypto, unsigned char*, HMAC,
                  (const EVP_MD* evp_md, const void* key, int key_len, const unsigned char* data,
                   size_t data_len, unsigned char* md, unsigned int* md_len),
                  (evp_md, key, key_len, data, data_len, md, md_len))
ALM_LAZY_FUNCTION(crypto, int, RAND_bytes, (unsigned char* buf, int num), (buf, num))
ALM_LAZY_FUNCTION(crypto, unsigned char*, SHA1,
                  (const unsigned char* d, size_t n, unsigned char* md), (d, n, md))
