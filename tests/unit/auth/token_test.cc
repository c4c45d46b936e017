#include "auth/token.h"

#include <gtest/gtest.h>

#include "auth/signer.h"

namespace almanac::auth {
namespace {

using format::JsonValue;

// The test vector of features.md §2.4 (computed with itsdangerous).
constexpr std::string_view kVector =
    "dstok_eyJhIjoicm9vdCIsInQiOjE3MDAwMDAwMDB9.SCwgcvm_9Ld1ptx9FFsHYNcfVUE";

TEST(Token, SignsTheFeaturesTestVector) {
  EXPECT_EQ(CreateToken("secret", {"root", 1700000000, std::nullopt, {}}), kVector);
}

TEST(Token, VerifiesTheFeaturesTestVector) {
  Result<std::optional<Actor>> actor = VerifyToken(kVector, "secret", {}, 1800000000);
  ASSERT_TRUE(actor.ok()) << actor.status().message();
  ASSERT_TRUE(actor->has_value());
  EXPECT_EQ(format::ToJsonText((*actor)->data), R"({"id": "root", "token": "dstok"})");
}

TEST(Token, MatchesTheConformanceCorpusTokenForItsSecret) {
  EXPECT_EQ(CreateToken("conformance-secret", {"root", 1700000000, std::nullopt, {}}),
            "dstok_eyJhIjoicm9vdCIsInQiOjE3MDAwMDAwMDB9.l777KGg2KbvEZVMh9Fhowh6lklI");
}

TEST(Token, CompressesLongPayloadsLikeItsdangerous) {
  // mint_token.py secret alice --t 1700000000 --d 3600 --r '{"a":["vi"],"d":{"fixtures":
  //   ["vt","es"]},"r":{"fixtures":{"facetable":["ir"]}}}'
  TokenSpec spec{"alice", 1700000000, 3600, {}};
  spec.restrictions.AllowAll("view-instance");
  spec.restrictions.AllowDatabase("fixtures", "view-table");
  spec.restrictions.AllowDatabase("fixtures", "es");  // abbreviations pass through
  spec.restrictions.AllowResource("fixtures", "facetable", "insert-row");
  EXPECT_EQ(CreateToken("secret", spec),
            "dstok_.eJxVi0EKgDAMBP-y5x4UQaFfkSKxRij0FKMIxb-bFi_uadidLSB4UE6R4aDw_"
            "dR9cdjgh7HCIvClmjOuhNCWgj3"
            "degofrVa7G4bHQf6jMUVWWjNXM4lJlhf2iyRA.7d5l20-DXsIXuFsKq4LbZN2tceE");
}

TEST(Token, ReadsCompressedTokensWithRestrictions) {
  Result<std::optional<Actor>> actor = VerifyToken(
      "dstok_.eJyrVkpUslIqys8vUdJRKlGyMjQ3gAIdpfgiJatqkHy0UlkmULosBUSUKMXW1gIAjf4Otw."
      "5HGGD-xvpf5CQUju8WFGN4Cz6Js",
      "conformance-secret", {}, 1700000100);
  ASSERT_TRUE(actor.ok()) << actor.status().message();
  ASSERT_TRUE(actor->has_value());
  EXPECT_EQ(format::ToJsonText((*actor)->data),
            R"({"id": "root", "token": "dstok", "_r": {"a": ["vi", "vd", "vt"]}})");
}

TEST(Token, ExpiresAfterItsDuration) {
  std::string token = CreateToken("s", {"bob", 1000, 60, {}});
  EXPECT_TRUE(VerifyToken(token, "s", {}, 1060).ok());
  Result<std::optional<Actor>> late = VerifyToken(token, "s", {}, 1061);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(late.status().message(), "Token has expired");
  Result<std::optional<Actor>> fresh = VerifyToken(token, "s", {}, 1030);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*fresh)->data.Find("token_expires")->as_int(), 1060);
}

TEST(Token, MaxTtlCapsTokensWithAndWithoutDuration) {
  TokenSettings capped{true, 10};
  std::string forever = CreateToken("s", {"bob", 1000, std::nullopt, {}});
  EXPECT_TRUE(VerifyToken(forever, "s", capped, 1010).ok());
  EXPECT_FALSE(VerifyToken(forever, "s", capped, 1011).ok());
  std::string long_lived = CreateToken("s", {"bob", 1000, 3600, {}});
  EXPECT_FALSE(VerifyToken(long_lived, "s", capped, 1011).ok());
}

TEST(Token, RejectsBadSignaturesAndOtherSecrets) {
  for (std::string_view bad :
       {"dstok_garbage", "dstok_", "dstok_.", "dstok_eyJhIjoicm9vdCIsInQiOjE3MDAwMDAwMDB9.",
        "dstok_eyJhIjoicm9vdCIsInQiOjE3MDAwMDAwMDB9.SCwgcvm_9Ld1ptx9FFsHYNcfVUF"}) {
    Result<std::optional<Actor>> r = VerifyToken(bad, "secret", {}, 0);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "Invalid token signature");
  }
  EXPECT_FALSE(VerifyToken(kVector, "other-secret", {}, 0).ok());
}

TEST(Token, IgnoresTokensOfOtherKinds) {
  Result<std::optional<Actor>> r = VerifyToken("abc", "secret", {}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(Token, RefusedWhenSignedTokensAreDisabled) {
  Result<std::optional<Actor>> r = VerifyToken(kVector, "secret", {false, 0}, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Signed tokens are not enabled for this Datasette instance");
}

TEST(Token, RequiresAnIntegerTimestamp) {
  Signer signer("s", "token");
  auto verify = [&](std::string_view json) {
    return VerifyToken("dstok_" + signer.Dumps(format::ParseJson(json).value()), "s", {}, 0);
  };
  EXPECT_EQ(verify(R"({"a":"x"})").status().message(), "Invalid token: no timestamp");
  EXPECT_EQ(verify(R"({"a":"x","t":"1"})").status().message(), "Invalid token: invalid timestamp");
  EXPECT_EQ(verify(R"({"a":"x","t":1,"d":"5"})").status().message(),
            "Invalid token: invalid duration");
}

TEST(Signer, KeepsNonAsciiUnescapedAsItsdangerousDoes) {
  // Python: URLSafeSerializer("secret", "actor").dumps({"a": {"id": "ünï", "name": "x" * 80}})
  JsonValue payload = JsonValue::MakeObject(
      {{"a", JsonValue::MakeObject({{"id", JsonValue::String("ünï")},
                                    {"name", JsonValue::String(std::string(80, 'x'))}})}});
  EXPECT_EQ(Signer("secret", "actor").Dumps(payload),
            ".eJyrVkpUsqpWykxRslI6vCfv8HolHaW8xNxUILeCykCpthYA3iUvzQ.oUYgUqR76v-mJFsuv6KX_Yi_UHA");
}

TEST(Restrictions, AbbreviateKnownActionsOnly) {
  TokenRestrictions r;
  r.AllowAll("view-instance");
  r.AllowAll("custom-plugin-action");
  r.AllowResource("db", "t", "insert-row");
  r.AllowResource("db", "t", "ur");
  EXPECT_EQ(format::ToJsonText(r.Abbreviated()),
            R"({"a": ["vi", "custom-plugin-action"], "r": {"db": {"t": ["ir", "ur"]}}})");
}

}  // namespace
}  // namespace almanac::auth
