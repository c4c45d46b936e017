#include "auth/signer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "format/base64.h"
#include "format/json_writer.h"

namespace almanac::auth {
namespace {

constexpr size_t kMaxDecompressedBytes = 1 << 20;  // payloads are small; refuse zip bombs

Status BadSignature() { return Status(ErrorCode::kUnauthenticated, "Invalid token signature"); }

std::string Sha1(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Compress(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                Z_DEFAULT_COMPRESSION) != Z_OK) {
    return {};
  }
  out.resize(size);
  return out;
}

Result<std::string> Decompress(std::string_view data) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return Status(ErrorCode::kInternal, "zlib init failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (out.size() > kMaxDecompressedBytes) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) break;  // truncated input
  }
  bool complete = rc == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) return Status(ErrorCode::kInvalidArgument, "Could not zlib decompress payload");
  return out;
}

}  // namespace

std::string CompactJson(const format::JsonValue& value) {
  std::string out;
  format::JsonWriter writer(out, {.compact = true, .ensure_ascii = false});
  format::WriteJson(value, writer);
  return out;
}

std::string EncodePayload(const format::JsonValue& payload) {
  std::string json = CompactJson(payload);
  std::string compressed = Compress(json);
  if (!compressed.empty() && compressed.size() + 1 < json.size()) {
    return "." + format::Base64UrlEncode(compressed);
  }
  return format::Base64UrlEncode(json);
}

Result<format::JsonValue> DecodePayload(std::string_view encoded) {
  bool compressed = !encoded.empty() && encoded.front() == '.';
  if (compressed) encoded.remove_prefix(1);
  std::optional<std::string> bytes = format::Base64UrlDecode(encoded);
  if (!bytes) return Status(ErrorCode::kInvalidArgument, "Could not base64 decode the payload");
  if (compressed) {
    ALM_ASSIGN_OR_RETURN(std::string inflated, Decompress(*bytes));
    return format::ParseJson(inflated);
  }
  return format::ParseJson(*bytes);
}

Signer::Signer(std::string_view secret, std::string_view salt) {
  std::string material(salt);
  material += "signer";
  material += secret;
  key_ = Sha1(material);
}

std::string Signer::Signature(std::string_view value) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &length);
  return format::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

std::string Signer::Sign(std::string_view value) const {
  std::string out(value);
  out += '.';
  out += Signature(value);
  return out;
}

Result<std::string> Signer::Unsign(std::string_view signed_value) const {
  size_t dot = signed_value.rfind('.');
  if (dot == std::string_view::npos) return BadSignature();
  std::string_view value = signed_value.substr(0, dot);
  std::string_view given = signed_value.substr(dot + 1);
  std::string expected = Signature(value);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return BadSignature();
  }
  return std::string(value);
}

std::string Signer::Dumps(const format::JsonValue& payload) const {
  return Sign(EncodePayload(payload));
}

Result<format::JsonValue> Signer::Loads(std::string_view signed_value) const {
  ALM_ASSIGN_OR_RETURN(std::string value, Unsign(signed_value));
  Result<format::JsonValue> payload = DecodePayload(value);
  // A correctly signed but unreadable payload is treated like a bad signature.
  if (!payload.ok()) return BadSignature();
  return payload;
}

}  // namespace almanac::auth
