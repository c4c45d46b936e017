// The hosting mode's pure parts: space names, spaces on disk and their tokens, the worker's
// command line, the space's policy file and its permission rules, and the identity hand-off's
// signatures and time window.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "auth/handoff.h"
#include "cloud/launcher.h"
#include "cloud/space_policy.h"
#include "cloud/spaces.h"
#include "config/config.h"
#include "config/settings.h"

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
  // Unsandboxed, the policy file is read where the front door writes it.
  EXPECT_TRUE(has({"--space-policy", root_.string() + "/policy/gamma/policy.json"}));
  EXPECT_TRUE(std::filesystem::is_directory(root_ / "policy" / "gamma"));
  EXPECT_FALSE(has({"--space-quota-mb"}));
  LaunchOptions quota{"/bin/almanac", "/{space}/", true, 2, 64, {}};
  argv = Launcher(DataDir{root_.string()}, quota).ServeCommand("gamma", true);
  EXPECT_TRUE(has({"--space-quota-mb", "64"}));
  EXPECT_TRUE(has({"--space-policy", "/policy/policy.json"}));  // its read-only mount
}

TEST(SpacePolicy, ParsesPublicTablesAndKeepsOtherMembers) {
  Result<SpacePolicy> policy =
      ParseSpacePolicy(R"({"public_tables": ["data/places", "more/a/b"], "later": 1})");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_TRUE(policy->IsPublic("data", "places"));
  EXPECT_TRUE(policy->IsPublic("more", "a/b"));  // the database name never has a slash
  EXPECT_FALSE(policy->IsPublic("data", "other"));
  policy->SetPublic("data", "places", false);
  policy->SetPublic("data", "new", true);
  Result<SpacePolicy> again = ParseSpacePolicy(SpacePolicyJson(*policy));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_tables,
            (std::set<std::pair<std::string, std::string>>{{"data", "new"}, {"more", "a/b"}}));
  ASSERT_NE(again->document.Find("later"), nullptr);
  for (const char* bad : {"[]", "{\"public_tables\": \"data/t\"}", "{\"public_tables\": [\"t\"]}",
                          "{\"public_tables\": [\"/t\"]}", "{\"public_tables\": [1]}", "{"}) {
    EXPECT_FALSE(ParseSpacePolicy(bad).ok()) << bad;
  }
}

TEST_F(SpacesTest, PolicyFileIsReloadedWhenReplaced) {
  std::string directory = (root_ / "policy" / "s").string();
  SpacePolicyFile file(directory + "/policy.json", std::chrono::milliseconds(0));
  EXPECT_TRUE(file.Current()->public_tables.empty());  // no file: nothing public
  SpacePolicy policy;
  policy.SetPublic("data", "t", true);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  EXPECT_TRUE(file.Current()->IsPublic("data", "t"));
  EXPECT_EQ(std::filesystem::status(directory + "/policy.json").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::group_read |
                std::filesystem::perms::others_read);
  // A file that cannot be parsed leaves the previous policy in force.
  std::filesystem::remove(directory + "/policy.json");
  {
    std::ofstream broken(directory + "/policy.json");
    broken << "{not json";
  }
  EXPECT_TRUE(file.Current()->IsPublic("data", "t"));
  policy.SetPublic("data", "t", false);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  EXPECT_FALSE(file.Current()->IsPublic("data", "t"));
  // Within the check interval the file is not looked at again.
  SpacePolicyFile slow(directory + "/policy.json", std::chrono::hours(1));
  EXPECT_FALSE(slow.Current()->IsPublic("data", "t"));
  policy.SetPublic("data", "t", true);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  EXPECT_FALSE(slow.Current()->IsPublic("data", "t"));
}

TEST_F(SpacesTest, PolicyRulesLetEveryoneViewPublicTablesOnly) {
  std::string directory = (root_ / "policy" / "s").string();
  SpacePolicy policy;
  policy.SetPublic("data", "open", true);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  config::Config config;
  config::Settings settings;
  auth::PermissionEngine engine(config, settings, {/*default_deny=*/true, /*root_enabled=*/true});
  engine.AddSource(MakeSpacePolicySource(
      std::make_shared<SpacePolicyFile>(directory + "/policy.json", std::chrono::milliseconds(0))));
  auth::MaybeActor anonymous;
  EXPECT_TRUE(
      engine.Allowed(anonymous, auth::Action::kViewTable, auth::Resource::Table("data", "open")));
  EXPECT_FALSE(
      engine.Allowed(anonymous, auth::Action::kViewTable, auth::Resource::Table("data", "closed")));
  EXPECT_FALSE(
      engine.Allowed(anonymous, auth::Action::kViewDatabase, auth::Resource::Database("data")));
  EXPECT_FALSE(
      engine.Allowed(anonymous, auth::Action::kExecuteSql, auth::Resource::Database("data")));
  policy.SetPublic("data", "open", false);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  EXPECT_FALSE(
      engine.Allowed(anonymous, auth::Action::kViewTable, auth::Resource::Table("data", "open")));
}

TEST(SpacePolicy, PublicDatabasesSqlAndQueries) {
  Result<SpacePolicy> policy = ParseSpacePolicy(
      R"({"public_databases": ["open"], "public_sql": ["open"], "public_queries": ["data/q"]})");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_TRUE(policy->HasPublic());
  EXPECT_FALSE(policy->IsPublic("open", "t"));  // listed tables only
  EXPECT_EQ(policy->public_sql, std::set<std::string>{"open"});
  EXPECT_TRUE(policy->public_queries.contains({"data", "q"}));
  // Making the database private takes its SQL with it.
  policy->SetPublicDatabase("open", false, true);
  policy->SetPublicQuery("data", "q", false);
  Result<SpacePolicy> again = ParseSpacePolicy(SpacePolicyJson(*policy));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->HasPublic());
  EXPECT_TRUE(again->public_sql.empty());
  // SQL reads every table of its database: only a public database may allow it.
  EXPECT_FALSE(ParseSpacePolicy(R"({"public_sql": ["data"]})").ok());
  for (const char* bad : {R"({"public_databases": "data"})", R"({"public_databases": ["a/b"]})",
                          R"({"public_databases": [""]})", R"({"public_queries": ["q"]})"}) {
    EXPECT_FALSE(ParseSpacePolicy(bad).ok()) << bad;
  }
}

TEST(SpacePolicy, TheSpacesOwnCannedQueries) {
  SpacePolicy policy;
  EXPECT_EQ(policy.QueriesOf("data"), nullptr);
  policy.SaveQuery("data", "by_year", "select 1", "By year", "");
  policy.SaveQuery("data", "all", "select 2", "", "");
  policy.SetPublicQuery("data", "by_year", true);
  Result<SpacePolicy> read = ParseSpacePolicy(SpacePolicyJson(policy));
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_NE(read->QueriesOf("data"), nullptr);
  EXPECT_EQ(format::ToJsonText(*read->QueriesOf("data")),
            R"({"by_year": {"sql": "select 1", "title": "By year"}, "all": {"sql": "select 2"}})");
  EXPECT_TRUE(read->HasQuery("data", "all"));
  EXPECT_FALSE(read->HasQuery("other", "all"));
  // Saving again replaces; removing takes the public entry with it, and the last query of a
  // database its entry.
  read->SaveQuery("data", "all", "select 3", "", "");
  EXPECT_EQ(read->QueriesOf("data")->Find("all")->Find("sql")->as_string(), "select 3");
  read->RemoveQuery("data", "by_year");
  EXPECT_FALSE(read->public_queries.contains({"data", "by_year"}));
  read->RemoveQuery("data", "all");
  EXPECT_EQ(read->QueriesOf("data"), nullptr);
  EXPECT_EQ(SpacePolicyJson(*read), "{\"queries\": {}, \"public_queries\": []}\n");
  // A space's queries only read; each has its SQL.
  for (const char* bad :
       {R"({"queries": {"data": {"q": {"sql": "delete from t", "write": true}}}})",
        R"({"queries": {"data": {"q": {"title": "no SQL"}}}})",
        R"({"queries": {"data": ["select 1"]}})", R"({"queries": []})"}) {
    EXPECT_FALSE(ParseSpacePolicy(bad).ok()) << bad;
  }
}

TEST_F(SpacesTest, PolicyRulesForPublicDatabasesAndQueries) {
  std::string directory = (root_ / "policy" / "d").string();
  SpacePolicy policy;
  policy.SetPublicDatabase("open", true, false);
  policy.SetPublicQuery("data", "by_year", true);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  config::Config config;
  config::Settings settings;
  auth::PermissionEngine engine(config, settings, {/*default_deny=*/true, /*root_enabled=*/true});
  engine.AddSource(MakeSpacePolicySource(
      std::make_shared<SpacePolicyFile>(directory + "/policy.json", std::chrono::milliseconds(0))));
  auth::MaybeActor anonymous;
  auto allowed = [&](auth::Action action, const auth::Resource& resource) {
    return engine.Allowed(anonymous, action, resource);
  };
  EXPECT_TRUE(allowed(auth::Action::kViewDatabase, auth::Resource::Database("open")));
  EXPECT_TRUE(allowed(auth::Action::kViewTable, auth::Resource::Table("open", "any")));
  EXPECT_TRUE(allowed(auth::Action::kViewQuery, auth::Resource::Table("open", "any")));
  EXPECT_FALSE(allowed(auth::Action::kExecuteSql, auth::Resource::Database("open")));
  EXPECT_FALSE(allowed(auth::Action::kInsertRow, auth::Resource::Table("open", "any")));
  EXPECT_TRUE(allowed(auth::Action::kViewQuery, auth::Resource::Table("data", "by_year")));
  EXPECT_FALSE(allowed(auth::Action::kViewQuery, auth::Resource::Table("data", "other")));
  EXPECT_FALSE(allowed(auth::Action::kViewTable, auth::Resource::Table("data", "t")));
  EXPECT_FALSE(allowed(auth::Action::kViewDatabase, auth::Resource::Database("data")));
  policy.SetPublicDatabase("open", true, true);
  ASSERT_TRUE(WriteSpacePolicy(directory, policy).ok());
  EXPECT_TRUE(allowed(auth::Action::kExecuteSql, auth::Resource::Database("open")));
  EXPECT_FALSE(allowed(auth::Action::kExecuteSql, auth::Resource::Database("data")));
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

TEST(Handoff, TheSignerReusesAHeaderWithinOneSecondOnly) {
  auth::IdentitySigner signer;
  auth::Actor root{format::JsonValue::MakeObject()};
  root.data.Set("id", format::JsonValue::String("root"));
  auth::Actor member{format::JsonValue::MakeObject()};
  member.data.Set("id", format::JsonValue::String("ann"));
  std::string first = signer.Sign("secret-secret-secret", root, 1000);
  EXPECT_EQ(first, auth::SignIdentity("secret-secret-secret", root, 1000));
  EXPECT_EQ(signer.Sign("secret-secret-secret", root, 1000), first);
  // Another second, actor or secret: a header of its own.
  EXPECT_EQ(signer.Sign("secret-secret-secret", root, 1001),
            auth::SignIdentity("secret-secret-secret", root, 1001));
  EXPECT_EQ(signer.Sign("secret-secret-secret", member, 1001),
            auth::SignIdentity("secret-secret-secret", member, 1001));
  EXPECT_EQ(signer.Sign("another-secret-here", member, 1001),
            auth::SignIdentity("another-secret-here", member, 1001));
  // No actor and an actor, in the same second, never take each other's header.
  EXPECT_EQ(signer.Sign("another-secret-here", std::nullopt, 1001),
            auth::SignIdentity("another-secret-here", std::nullopt, 1001));
  EXPECT_EQ(signer.Sign("another-secret-here", member, 1001),
            auth::SignIdentity("another-secret-here", member, 1001));
  // An actor that differs in one member only (a member's role) gets its own header.
  auth::Actor viewer = member;
  viewer.data.Set("role", format::JsonValue::String("viewer"));
  EXPECT_EQ(signer.Sign("another-secret-here", viewer, 1001),
            auth::SignIdentity("another-secret-here", viewer, 1001));
}

TEST(Handoff, TheVerifierRemembersAHeaderButChecksItsWindowEachTime) {
  auth::IdentityVerifier verifier;
  auth::Actor actor{format::JsonValue::MakeObject()};
  actor.data.Set("id", format::JsonValue::String("root"));
  std::string header = auth::SignIdentity("secret-secret-secret", actor, 1000);
  for (int i = 0; i < 2; ++i) {  // verified, then remembered
    Result<auth::MaybeActor> ok = verifier.Verify("secret-secret-secret", &header, 1010);
    ASSERT_TRUE(ok.ok());
    ASSERT_TRUE(ok->has_value());
    EXPECT_EQ((*ok)->id(), "root");
  }
  // The remembered header, replayed out of its window, or checked with another secret.
  EXPECT_FALSE(verifier.Verify("secret-secret-secret", &header, 1000 + 31).ok());
  EXPECT_FALSE(verifier.Verify("another-secret-here", &header, 1000).ok());
  std::string tampered = header;
  tampered[5] = tampered[5] == '1' ? '2' : '1';
  EXPECT_FALSE(verifier.Verify("secret-secret-secret", &tampered, 1000).ok());
  EXPECT_FALSE(verifier.Verify("secret-secret-secret", nullptr, 1000).ok());
  EXPECT_TRUE(verifier.Verify("secret-secret-secret", &header, 1000).ok());
}

TEST_F(SpacesTest, AdminTokenChecksSeeANewKeyAndADeletedSpaceAtOnce) {
  Spaces spaces(DataDir{root_.string()});
  Result<std::string> old_token = spaces.Create("alpha");
  ASSERT_TRUE(old_token.ok());
  EXPECT_TRUE(spaces.CheckToken("alpha", *old_token));
  EXPECT_TRUE(spaces.CheckToken("alpha", *old_token));  // remembered
  EXPECT_FALSE(spaces.CheckToken("alpha", *old_token + "x"));
  // Another process gives the space a new key (deleted and made again from the command line).
  Spaces elsewhere(DataDir{root_.string()});
  ASSERT_TRUE(elsewhere.Delete("alpha").ok());
  EXPECT_FALSE(spaces.CheckToken("alpha", *old_token));
  Result<std::string> new_token = elsewhere.Create("alpha");
  ASSERT_TRUE(new_token.ok());
  EXPECT_FALSE(spaces.CheckToken("alpha", *old_token));
  EXPECT_TRUE(spaces.CheckToken("alpha", *new_token));
  // The key file rewritten in place (same inode) with the old token's hash: seen too.
  std::string key_file = DataDir{root_.string()}.KeyFile("alpha");
  Spaces scratch(DataDir{(root_ / "scratch").string()});
  Result<std::string> other = scratch.Create("other");
  ASSERT_TRUE(other.ok());
  std::ifstream in(DataDir{(root_ / "scratch").string()}.KeyFile("other"));
  std::string other_hash;
  std::getline(in, other_hash);
  {
    std::ofstream out(key_file, std::ios::trunc);
    out << other_hash << "\n";
  }
  EXPECT_FALSE(spaces.CheckToken("alpha", *new_token));
  EXPECT_TRUE(spaces.CheckToken("alpha", *other));
}

}  // namespace
}  // namespace almanac::cloud
