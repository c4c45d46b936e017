#include "api/magic_parameters.h"

#include <gtest/gtest.h>

namespace almanac::api {
namespace {

// 2020-06-24T18:01:07Z, the example in Datasette's docs.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1593021667));

std::optional<Value> Magic(const Request& request, std::string_view name) {
  Result<std::optional<Value>> value = MagicParameter(request, name, kNow);
  EXPECT_TRUE(value.ok()) << value.status().message();
  return value.ok() ? *value : std::nullopt;
}

TEST(MagicParameter, OrdinaryNamesAreNotMagic) {
  Request request;
  EXPECT_FALSE(Magic(request, "name").has_value());
  EXPECT_FALSE(Magic(request, "_x").has_value());
}

TEST(MagicParameter, NowInUtc) {
  Request request;
  EXPECT_EQ(*Magic(request, "_now_epoch"), Value::Integer(1593021667));
  EXPECT_EQ(*Magic(request, "_now_date_utc"), Value::Text("2020-06-24"));
  EXPECT_EQ(*Magic(request, "_now_datetime_utc"), Value::Text("2020-06-24T18:01:07Z"));
  EXPECT_FALSE(MagicParameter(request, "_now_tomorrow", kNow).ok());
}

TEST(MagicParameter, HeadersUseHyphensForUnderscores) {
  Request request;
  request.headers = {{"user-agent", "agent/1"}, {"accept-language", "mi"}};
  EXPECT_EQ(*Magic(request, "_header_user_agent"), Value::Text("agent/1"));
  EXPECT_EQ(*Magic(request, "_header_accept_language"), Value::Text("mi"));
  EXPECT_EQ(*Magic(request, "_header_x_missing"), Value::Text(""));
}

TEST(MagicParameter, ActorFieldsNeedAnActor) {
  Request request;
  EXPECT_EQ(MagicParameter(request, "_actor_id", kNow).status().code(),
            ErrorCode::kInvalidArgument);
  request.actor = auth::Actor{format::JsonValue::MakeObject(
      {{"id", format::JsonValue::String("root")}, {"n", format::JsonValue::Int(3)}})};
  EXPECT_EQ(*Magic(request, "_actor_id"), Value::Text("root"));
  EXPECT_EQ(*Magic(request, "_actor_n"), Value::Integer(3));
  EXPECT_FALSE(MagicParameter(request, "_actor_missing", kNow).ok());
}

TEST(MagicParameter, Cookies) {
  Request request;
  request.headers = {{"cookie", "a=1; lang=\"mi\"; a=2"}};
  EXPECT_EQ(*Magic(request, "_cookie_lang"), Value::Text("mi"));
  EXPECT_EQ(*Magic(request, "_cookie_a"), Value::Text("2"));
  EXPECT_FALSE(MagicParameter(request, "_cookie_nope", kNow).ok());
}

TEST(MagicParameter, RandomCharsAreHexOfTheAskedLength) {
  Request request;
  for (int n : {0, 1, 7, 8, 33}) {
    std::optional<Value> value = Magic(request, "_random_chars_" + std::to_string(n));
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(value->text().size(), static_cast<size_t>(n));
    EXPECT_EQ(value->text().find_first_not_of("0123456789abcdef"), std::string::npos);
  }
  EXPECT_FALSE(MagicParameter(request, "_random_bytes_8", kNow).ok());
}

TEST(MagicParameter, UnknownPrefixBindsNull) {
  Request request;
  EXPECT_EQ(*Magic(request, "_other_thing"), Value::Null());
}

}  // namespace
}  // namespace almanac::api
