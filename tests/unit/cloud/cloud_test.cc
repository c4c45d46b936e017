// The hosting mode's pure parts: space names, spaces on disk and their tokens, the worker's
// command line, and the identity hand-off's signatures and time window.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "auth/handoff.h"
#include "cloud/launcher.h"
#include "cloud/spaces.h"

namespace almanac::cloud {
namespace {

TEST(SpaceNames, ValidAndInvalid) {
  EXPECT_TRUE(ValidateSpaceName("team-a").ok());
  EXPECT_TRUE(ValidateSpaceName(std::string(63, 'a')).ok());
  for (std::string bad : {"", "Team", "a_b", "-a", "a-", "a.b", "www", "admin", "static"}) {
    EXPECT_FALSE(ValidateSpaceName(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateSpaceName(std::string(64, 'a')).ok());
}

class SpacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("alm-spaces-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(SpacesTest, CreateCheckListDelete) {
  Spaces spaces(DataDir{root_.string()});
  Result<std::string> token = spaces.Create("alpha");
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_TRUE(spaces.CheckToken("alpha", *token));
  EXPECT_FALSE(spaces.CheckToken("alpha", *token + "x"));
  EXPECT_FALSE(spaces.CheckToken("beta", *token));
  EXPECT_FALSE(spaces.Create("alpha").ok());
  ASSERT_TRUE(spaces.Create("beta").ok());
  EXPECT_EQ(spaces.List(), (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_TRUE(spaces.Delete("alpha").ok());
  EXPECT_FALSE(spaces.Exists("alpha"));
  EXPECT_FALSE(std::filesystem::exists(root_ / "spaces" / "alpha"));
  EXPECT_FALSE(spaces.Delete("alpha").ok());
}

TEST_F(SpacesTest, WorkerCommandServesTheSpacesDatabasesUnderItsBaseUrl) {
  Spaces spaces(DataDir{root_.string()});
  ASSERT_TRUE(spaces.Create("gamma").ok());
  Launcher launcher(DataDir{root_.string()}, {"/bin/almanac", "/{space}/", false, 2});
  std::vector<std::string> argv = launcher.ServeCommand("gamma", true);
  auto has = [&argv](std::vector<std::string> run) {
    return std::search(argv.begin(), argv.end(), run.begin(), run.end()) != argv.end();
  };
  EXPECT_TRUE(has({"/bin/almanac", "serve", "--fd", "3"}));
  EXPECT_TRUE(has({"--handoff-secret-fd", "4"}));
  EXPECT_TRUE(has({"--setting", "base_url", "/gamma/"}));
  EXPECT_TRUE(has({"--create", "data.db"}));  // a new space gets an empty data.db
}

TEST(Handoff, SignedIdentityVerifiesWithinTheWindowOnly) {
  auth::Actor actor{format::JsonValue::MakeObject()};
  actor.data.Set("id", format::JsonValue::String("root"));
  std::string header = auth::SignIdentity("secret-secret-secret", actor, 1000);
  Result<auth::MaybeActor> ok = auth::VerifyIdentity("secret-secret-secret", &header, 1010);
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->id(), "root");
  EXPECT_FALSE(auth::VerifyIdentity("another-secret-here", &header, 1000).ok());
  EXPECT_FALSE(auth::VerifyIdentity("secret-secret-secret", &header, 1000 + 31).ok());
  EXPECT_FALSE(auth::VerifyIdentity("secret-secret-secret", &header, 1000 - 31).ok());
  EXPECT_FALSE(auth::VerifyIdentity("secret-secret-secret", nullptr, 1000).ok());
  std::string tampered = header;
  tampered[5] = tampered[5] == '1' ? '2' : '1';
  EXPECT_FALSE(auth::VerifyIdentity("secret-secret-secret", &tampered, 1000).ok());
  std::string anonymous = auth::SignIdentity("secret-secret-secret", std::nullopt, 1000);
  Result<auth::MaybeActor> none = auth::VerifyIdentity("secret-secret-secret", &anonymous, 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace almanac::cloud
