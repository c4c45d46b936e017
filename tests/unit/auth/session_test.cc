#include "auth/session.h"

#include <gtest/gtest.h>

#include "auth/csrf.h"

namespace almanac::auth {
namespace {

using format::JsonValue;

JsonValue Root() { return JsonValue::MakeObject({{"id", JsonValue::String("root")}}); }

TEST(Base62, MatchesDatasetteBaseconv) {
  EXPECT_EQ(Base62Encode(1700000000), "BrDBeq");
  EXPECT_EQ(Base62Encode(0), "A");
  EXPECT_EQ(Base62Encode(62), "BA");
  EXPECT_EQ(Base62Decode("BlRUtO"), 1614752504);
  EXPECT_EQ(Base62Decode("BrDBeq"), 1700000000);
  EXPECT_FALSE(Base62Decode("").has_value());
  EXPECT_FALSE(Base62Decode("a!").has_value());
}

TEST(ActorCookie, MatchesItsdangerousOutput) {
  // Python: URLSafeSerializer("secret", "actor").dumps({"a": {"id": "root"}})
  EXPECT_EQ(MakeActorCookie("secret", Root()),
            "eyJhIjp7ImlkIjoicm9vdCJ9fQ.Nyuc5Q7xhxf1VMYzBUosCIdrdW0");
  EXPECT_EQ(MakeActorCookie("secret", Root(), 1614752504),
            "eyJhIjp7ImlkIjoicm9vdCJ9LCJlIjoiQmxSVXRPIn0.JNtd6KtSaRjwFS9HfjC1f0yanTs");
}

TEST(ActorCookie, RoundTripsAndExpires) {
  std::string cookie = MakeActorCookie("s3", Root(), 2000);
  std::optional<Actor> actor = ActorFromCookie("s3", cookie, 1999);
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->id(), "root");
  EXPECT_FALSE(ActorFromCookie("s3", cookie, 2001).has_value());
  EXPECT_FALSE(ActorFromCookie("other", cookie, 1999).has_value());
  EXPECT_FALSE(ActorFromCookie("s3", cookie + "x", 1999).has_value());
  // A token is not a cookie: different salt.
  EXPECT_FALSE(ActorFromCookie("s3", CreateToken("s3", {"root", 1, std::nullopt, {}}).substr(6), 5)
                   .has_value());
}

TEST(CookieValue, FindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("a=1; ds_actor=abc.def; b=2", "ds_actor"), "abc.def");
  EXPECT_EQ(CookieValue("ds_actor=\"quoted\"", "ds_actor"), "quoted");
  EXPECT_FALSE(CookieValue("other=1", "ds_actor").has_value());
}

TEST(Authenticator, BearerBeatsCookieAndBadTokensFail) {
  Authenticator auth("s", {});
  std::string bearer = "Bearer " + CreateToken("s", {"alice", 100, std::nullopt, {}});
  std::string cookie = "ds_actor=" + MakeActorCookie("s", Root());
  Result<MaybeActor> both = auth.Authenticate(&bearer, &cookie, 200);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->id(), "alice");
  Result<MaybeActor> from_cookie = auth.Authenticate(nullptr, &cookie, 200);
  ASSERT_TRUE(from_cookie.ok());
  EXPECT_EQ((*from_cookie)->id(), "root");
  std::string other = "Bearer abc";
  Result<MaybeActor> ignored = auth.Authenticate(&other, nullptr, 200);
  ASSERT_TRUE(ignored.ok());
  EXPECT_FALSE(ignored->has_value());
  std::string bad = "Bearer dstok_nope";
  EXPECT_EQ(auth.Authenticate(&bad, &cookie, 200).status().code(), ErrorCode::kUnauthenticated);
}

TEST(Authenticator, RootTokenWorksOnce) {
  Authenticator auth("s", {}, "abc123");
  EXPECT_EQ(auth.ConsumeRootToken("wrong").message(), "Invalid token");
  EXPECT_TRUE(auth.ConsumeRootToken("abc123").ok());
  EXPECT_EQ(auth.ConsumeRootToken("abc123").message(), "Root token has already been used");
}

TEST(Csrf, FollowsDatasetteHeaderRules) {
  std::string cross = "cross-site", same = "same-origin", cookie = "ds_actor=x";
  std::string bearer = "Bearer dstok_x", host = "localhost:8001";
  std::string good_origin = "http://localhost:8001", bad_origin = "http://evil.example";
  EXPECT_FALSE(CsrfRejection({.method = "GET", .sec_fetch_site = &cross}).has_value());
  EXPECT_EQ(CsrfRejection({.method = "POST", .cookie = &cookie, .sec_fetch_site = &cross}),
            "Sec-Fetch-Site was 'cross-site', expected 'same-origin' or 'none'");
  EXPECT_FALSE(CsrfRejection({.method = "POST", .sec_fetch_site = &same}).has_value());
  EXPECT_FALSE(CsrfRejection({.method = "POST", .cookie = &cookie}).has_value());  // curl
  EXPECT_FALSE(CsrfRejection({.method = "POST", .authorization = &bearer, .sec_fetch_site = &cross})
                   .has_value());
  EXPECT_TRUE(
      CsrfRejection(
          {.method = "POST", .authorization = &bearer, .cookie = &cookie, .sec_fetch_site = &cross})
          .has_value());
  EXPECT_FALSE(
      CsrfRejection({.method = "POST", .origin = &good_origin, .host = &host}).has_value());
  EXPECT_EQ(CsrfRejection({.method = "POST", .origin = &bad_origin, .host = &host}),
            "Origin 'http://evil.example' does not match Host 'localhost:8001'");
  std::string default_port = "http://localhost", plain_host = "localhost:80";
  EXPECT_FALSE(
      CsrfRejection({.method = "POST", .origin = &default_port, .host = &plain_host}).has_value());
  // A Referer, when the caller gives it, counts only without an Origin.
  std::string bad_referer = "http://evil.example/form.html", good_referer = good_origin + "/x";
  EXPECT_EQ(CsrfRejection({.method = "POST", .host = &host, .referer = &bad_referer}),
            "Referer 'http://evil.example/form.html' does not match Host 'localhost:8001'");
  EXPECT_FALSE(
      CsrfRejection({.method = "POST", .host = &host, .referer = &good_referer}).has_value());
  EXPECT_FALSE(
      CsrfRejection(
          {.method = "POST", .origin = &good_origin, .host = &host, .referer = &bad_referer})
          .has_value());
}

}  // namespace
}  // namespace almanac::auth
