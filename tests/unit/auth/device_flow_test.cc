// DeviceFlow: the pending device logins behind /-/oauth/device and /-/oauth/token.
#include "auth/device_flow.h"

#include <gtest/gtest.h>

namespace almanac::auth {
namespace {

using State = DeviceFlow::State;

TEST(DeviceFlowTest, PendingUntilApprovedThenReportedOnce) {
  DeviceFlow flow;
  Result<DeviceFlow::Started> started = flow.Start("[[\"view-table\"]]", 1000);
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->device_code.size(), 64u);
  ASSERT_EQ(started->user_code.size(), 9u);
  EXPECT_EQ(started->user_code[4], '-');
  EXPECT_EQ(flow.Take(started->device_code, 1001).state, State::kPending);
  EXPECT_EQ(flow.PendingScope(started->user_code, 1001), "[[\"view-table\"]]");
  // Typed in lower case, without the dash: the same code.
  std::string typed = started->user_code.substr(0, 4) + started->user_code.substr(5);
  for (char& c : typed) c = static_cast<char>(c - 'A' + 'a');
  ASSERT_TRUE(flow.Decide(typed, std::string("root"), 1002).ok());
  EXPECT_FALSE(flow.Decide(started->user_code, std::string("root"), 1002).ok());  // decided
  DeviceFlow::Poll poll = flow.Take(started->device_code, 1003);
  EXPECT_EQ(poll.state, State::kApproved);
  EXPECT_EQ(poll.actor_id, "root");
  EXPECT_EQ(poll.scope, "[[\"view-table\"]]");
  EXPECT_EQ(flow.Take(started->device_code, 1004).state, State::kUnknown);
}

TEST(DeviceFlowTest, DeniedAndExpired) {
  DeviceFlow flow;
  auto denied = flow.Start("", 0);
  auto expired = flow.Start("", 0);
  ASSERT_TRUE(denied.ok() && expired.ok());
  EXPECT_NE(denied->user_code, expired->user_code);
  ASSERT_TRUE(flow.Decide(denied->user_code, std::nullopt, 10).ok());
  EXPECT_EQ(flow.Take(denied->device_code, 11).state, State::kDenied);
  EXPECT_FALSE(flow.Decide(expired->user_code, std::string("root"), DeviceFlow::kLifetime).ok());
  EXPECT_EQ(flow.Take(expired->device_code, DeviceFlow::kLifetime).state, State::kExpired);
  EXPECT_EQ(flow.Take("nope", 0).state, State::kUnknown);
}

TEST(DeviceFlowTest, BoundedNumberOfPendingLogins) {
  DeviceFlow flow;
  for (size_t i = 0; i < DeviceFlow::kMaxPending; ++i) ASSERT_TRUE(flow.Start("", 0).ok());
  EXPECT_FALSE(flow.Start("", 0).ok());
  // Long-expired logins make room again.
  EXPECT_TRUE(flow.Start("", 2 * DeviceFlow::kLifetime + 1).ok());
}

TEST(DeviceFlowTest, Scopes) {
  Result<TokenRestrictions> r =
      ParseDeviceScope(R"([["view-instance"], ["view-table", "db"], ["insert-row", "db", "t"]])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->all, std::vector<std::string>{"view-instance"});
  ASSERT_EQ(r->database.size(), 1u);
  EXPECT_EQ(r->database[0].first, "db");
  ASSERT_EQ(r->resource.size(), 1u);
  EXPECT_TRUE(ParseDeviceScope("").ok());
  EXPECT_TRUE(ParseDeviceScope("").value().empty());
  for (const char* bad : {"{}", "[1]", "[[]]", "[[\"a\", \"b\", \"c\", \"d\"]]", "[[\"\"]]", "x"}) {
    EXPECT_FALSE(ParseDeviceScope(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace almanac::auth
