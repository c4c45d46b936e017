// libFuzzer target: random bytes into the signed-token and ds_actor-cookie parsers, the Cookie
// header parser, base62 and the CSRF origin checks. Properties checked:
//   - nothing crashes, hangs or trips ASan/UBSan;
//   - no accepted forgery: a token or cookie that verifies is exactly what signing its own
//     payload with the secret gives (canonical, so nothing but the signer can produce it);
//   - any JSON value survives sign -> verify unchanged.
// Seeds (tests/fuzz/corpus/token/) are tokens and cookies signed with kSecret.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/csrf.h"
#include "auth/session.h"
#include "auth/signer.h"
#include "auth/token.h"

namespace {

using namespace almanac;  // NOLINT(google-build-using-namespace): a test driver

constexpr std::string_view kSecret = "fuzz-secret";

void Check(bool ok) {
  if (!ok) std::abort();
}

// A verified signed value must be its body re-signed, byte for byte.
void CheckCanonical(std::string_view salt, std::string_view signed_value) {
  size_t dot = signed_value.rfind('.');
  Check(dot != std::string_view::npos);
  Check(auth::Signer(kSecret, salt).Sign(signed_value.substr(0, dot)) == signed_value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  Result<std::optional<auth::Actor>> token =
      auth::VerifyToken(input, kSecret, {true, 0}, 1700000000);
  if (token.ok() && token->has_value()) {
    CheckCanonical("token", input.substr(auth::kTokenPrefix.size()));
  }
  std::string_view bare =
      input.starts_with(auth::kTokenPrefix) ? input.substr(auth::kTokenPrefix.size()) : input;
  Result<std::optional<auth::Actor>> capped = auth::VerifyToken(
      std::string(auth::kTokenPrefix) + std::string(bare), kSecret, {true, 60}, 1700000000);
  (void)capped;

  if (auth::ActorFromCookie(kSecret, input, 1700000000)) CheckCanonical("actor", input);
  std::optional<std::string> cookie = auth::CookieValue(input, auth::kActorCookie);
  if (cookie) (void)auth::ActorFromCookie(kSecret, *cookie, 0);
  (void)auth::Base62Decode(input);

  std::string text(input);
  auth::CsrfInput csrf{"POST", "http", nullptr, &text, &text, nullptr, &text};
  (void)auth::CsrfRejection(csrf);

  // Round trip: any JSON document signs and verifies back to itself.
  Result<format::JsonValue> json = format::ParseJson(input);
  if (json.ok()) {
    auth::Signer signer(kSecret, "token");
    std::string signed_value = signer.Dumps(*json);
    Result<format::JsonValue> back = signer.Loads(signed_value);
    Check(back.ok());
    Check(auth::CompactJson(*back) == auth::CompactJson(*json));
  }
  return 0;
}
