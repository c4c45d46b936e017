#include "auth/permissions.h"

#include <gtest/gtest.h>

#include "auth/rule_sources.h"
#include "auth/space_roles.h"

namespace almanac::auth {
namespace {

using format::JsonValue;

MaybeActor ActorFrom(std::string_view json) { return Actor{format::ParseJson(json).value()}; }

struct Fixture {
  explicit Fixture(std::string_view config_json, PermissionOptions options = {})
      : config(config::Config::FromDocuments(format::ParseJson(config_json).value(),
                                             JsonValue::MakeObject())),
        engine(config, settings, options) {}
  config::Settings settings;
  config::Config config;
  PermissionEngine engine;
};

const Resource kFixtures = Resource::Database("fixtures");
const Resource kFacetable = Resource::Table("fixtures", "facetable");

TEST(ActorMatchesAllow, FollowsDatasetteRules) {
  auto allow = [](std::string_view json) { return format::ParseJson(json).value(); };
  MaybeActor alice = ActorFrom(R"({"id": "alice", "roles": ["staff", "dev"]})");
  JsonValue block = allow(R"({"id": "alice"})");
  EXPECT_TRUE(ActorMatchesAllow(alice, &block));
  block = allow(R"({"id": ["bob", "alice"]})");
  EXPECT_TRUE(ActorMatchesAllow(alice, &block));
  block = allow(R"({"roles": "dev"})");
  EXPECT_TRUE(ActorMatchesAllow(alice, &block));
  block = allow(R"({"id": "*"})");
  EXPECT_TRUE(ActorMatchesAllow(alice, &block));
  EXPECT_FALSE(ActorMatchesAllow(std::nullopt, &block));
  block = allow(R"({"unauthenticated": true})");
  EXPECT_TRUE(ActorMatchesAllow(std::nullopt, &block));
  EXPECT_FALSE(ActorMatchesAllow(alice, &block));
  block = allow("{}");
  EXPECT_FALSE(ActorMatchesAllow(alice, &block));
  block = allow("false");
  EXPECT_FALSE(ActorMatchesAllow(alice, &block));
  EXPECT_TRUE(ActorMatchesAllow(alice, nullptr));
}

TEST(PermissionEngine, ViewActionsAllowedByDefault) {
  Fixture f("{}");
  EXPECT_TRUE(f.engine.Allowed(std::nullopt, Action::kViewInstance, Resource::Instance()));
  EXPECT_TRUE(f.engine.Allowed(std::nullopt, Action::kViewTable, kFacetable));
  EXPECT_TRUE(f.engine.Allowed(std::nullopt, Action::kExecuteSql, kFixtures));
  EXPECT_FALSE(f.engine.Allowed(std::nullopt, Action::kInsertRow, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(std::nullopt, Action::kPermissionsDebug, Resource::Instance()));
}

TEST(PermissionEngine, DefaultDenyAndDefaultAllowSql) {
  Fixture deny("{}", {.default_deny = true});
  EXPECT_FALSE(deny.engine.Allowed(std::nullopt, Action::kViewInstance, Resource::Instance()));
  EXPECT_FALSE(deny.engine.Allowed(std::nullopt, Action::kViewTable, kFacetable));
  Fixture no_sql("{}");
  no_sql.settings.default_allow_sql = false;
  EXPECT_FALSE(no_sql.engine.Allowed(std::nullopt, Action::kExecuteSql, kFixtures));
  EXPECT_TRUE(no_sql.engine.Allowed(std::nullopt, Action::kViewDatabase, kFixtures));
}

TEST(PermissionEngine, RootOnlyWithRootEnabled) {
  MaybeActor root = ActorFrom(R"({"id": "root"})");
  Fixture off("{}");
  EXPECT_FALSE(off.engine.Allowed(root, Action::kDropTable, kFacetable));
  Fixture on("{}", {.root_enabled = true});
  EXPECT_TRUE(on.engine.Allowed(root, Action::kDropTable, kFacetable));
  EXPECT_TRUE(on.engine.Allowed(root, Action::kPermissionsDebug, Resource::Instance()));
  EXPECT_FALSE(on.engine.Allowed(ActorFrom(R"({"id": "alice"})"), Action::kDropTable, kFacetable));
}

TEST(PermissionEngine, DatabaseAllowBlockCascadesToTablesAndMoreSpecificWins) {
  Fixture f(R"({"databases": {"fixtures": {"allow": {"id": "alice"},
                "tables": {"facetable": {"allow": true}}}}})");
  MaybeActor alice = ActorFrom(R"({"id": "alice"})");
  EXPECT_TRUE(f.engine.Allowed(alice, Action::kViewDatabase, kFixtures));
  EXPECT_FALSE(f.engine.Allowed(std::nullopt, Action::kViewDatabase, kFixtures));
  EXPECT_FALSE(
      f.engine.Allowed(std::nullopt, Action::kViewTable, Resource::Table("fixtures", "other")));
  // The table-level allow is more specific than the database-level deny.
  EXPECT_TRUE(f.engine.Allowed(std::nullopt, Action::kViewTable, kFacetable));
  EXPECT_TRUE(f.engine.Allowed(std::nullopt, Action::kViewDatabase, Resource::Database("extra")));
}

TEST(PermissionEngine, PermissionsBlocksGrantWriteActions) {
  Fixture f(R"({"permissions": {"insert-row": {"id": "writer"}},
                "databases": {"fixtures": {"permissions": {"create-table": {"id": "admin"}},
                  "tables": {"facetable": {"permissions": {"insert-row": false}}}}}})");
  MaybeActor writer = ActorFrom(R"({"id": "writer"})");
  EXPECT_TRUE(f.engine.Allowed(writer, Action::kInsertRow, Resource::Table("fixtures", "x")));
  EXPECT_FALSE(f.engine.Allowed(writer, Action::kInsertRow, kFacetable));  // table-level deny
  EXPECT_TRUE(f.engine.Allowed(ActorFrom(R"({"id": "admin"})"), Action::kCreateTable, kFixtures));
  EXPECT_FALSE(f.engine.Allowed(writer, Action::kCreateTable, kFixtures));
}

TEST(PermissionEngine, AllowSqlAndAlsoRequires) {
  Fixture f(R"({"allow_sql": {"id": "analyst"}, "databases": {"secret": {"allow": false}}})");
  MaybeActor analyst = ActorFrom(R"({"id": "analyst"})");
  EXPECT_TRUE(f.engine.Allowed(analyst, Action::kExecuteSql, kFixtures));
  EXPECT_FALSE(f.engine.Allowed(std::nullopt, Action::kExecuteSql, kFixtures));
  // execute-sql also requires view-database.
  EXPECT_FALSE(f.engine.Allowed(analyst, Action::kExecuteSql, Resource::Database("secret")));
  Explanation e = f.engine.Explain(analyst, Action::kExecuteSql, Resource::Database("secret"));
  EXPECT_FALSE(e.allowed);
  EXPECT_EQ(e.summary(),
            "Denied because execute-sql also requires view-database, which was denied.");
}

TEST(PermissionEngine, TokenRestrictionsNarrowButNeverGrant) {
  Fixture f("{}", {.root_enabled = true});
  MaybeActor token = ActorFrom(R"({"id": "root", "token": "dstok",
      "_r": {"a": ["vi"], "d": {"fixtures": ["vd", "view-table"]},
             "r": {"extra": {"t1": ["vt", "ir"]}}}})");
  EXPECT_TRUE(f.engine.Allowed(token, Action::kViewInstance, Resource::Instance()));
  EXPECT_TRUE(f.engine.Allowed(token, Action::kViewDatabase, kFixtures));
  EXPECT_TRUE(f.engine.Allowed(token, Action::kViewTable, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(token, Action::kViewDatabase, Resource::Database("extra")));
  EXPECT_TRUE(f.engine.Allowed(token, Action::kInsertRow, Resource::Table("extra", "t1")));
  EXPECT_FALSE(f.engine.Allowed(token, Action::kInsertRow, Resource::Table("extra", "t2")));
  EXPECT_FALSE(f.engine.Allowed(token, Action::kDropTable, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(token, Action::kPermissionsDebug, Resource::Instance()));
  // Restrictions do not grant: alice has no insert-row even though _r lists it.
  Fixture plain("{}");
  MaybeActor alice = ActorFrom(R"({"id": "alice", "_r": {"a": ["ir"]}})");
  EXPECT_FALSE(plain.engine.Allowed(alice, Action::kInsertRow, kFacetable));
}

TEST(PermissionEngine, RestrictedTokenCannotReopenWhatARootAllowBlockDenies) {
  // The restriction gate: a table-level allow does not reopen a resource the token is
  // restricted to when the root-level allow block denies the actor.
  Fixture f(R"({"allow": {"id": "admin"},
                "databases": {"fixtures": {"tables": {"facetable": {"allow": true}}}}})");
  MaybeActor restricted =
      ActorFrom(R"({"id": "bob", "_r": {"r": {"fixtures": {"facetable": ["vt"]}}}})");
  EXPECT_FALSE(f.engine.Allowed(restricted, Action::kViewTable, kFacetable));
  MaybeActor unrestricted = ActorFrom(R"({"id": "bob"})");
  EXPECT_TRUE(f.engine.Allowed(unrestricted, Action::kViewTable, kFacetable));
}

class PublicTables : public RuleSource {
 public:
  std::string name() const override { return "public_tables"; }
  void AddRules(const MaybeActor&, Action action, std::vector<Rule>& out) const override {
    if (action == Action::kViewTable)
      out.push_back({"fixtures", "facetable", true, "public", name()});
  }
};

TEST(PermissionEngine, ExtraRuleSourcesTakePart) {
  Fixture f("{}", {.default_deny = true});
  EXPECT_FALSE(f.engine.Allowed(std::nullopt, Action::kViewTable, kFacetable));
  f.engine.AddSource(std::make_unique<PublicTables>());
  EXPECT_TRUE(f.engine.Allowed(std::nullopt, Action::kViewTable, kFacetable));
  EXPECT_FALSE(
      f.engine.Allowed(std::nullopt, Action::kViewTable, Resource::Table("fixtures", "x")));
  ASSERT_FALSE(f.engine.RecentChecks().empty());
  EXPECT_EQ(f.engine.RecentChecks().front().resource.child, "x");
}

// Allowed decides without building an Explanation: it must agree with Explain everywhere,
// with allows and denies at every scope, restrictions and required actions.
TEST(PermissionEngine, AllowedAgreesWithExplain) {
  Fixture f(R"({
    "permissions": {"view-table": {"id": ["ann", "bob"]}, "execute-sql": {"id": "ann"}},
    "databases": {"fixtures": {
      "allow": {"id": ["ann", "cat"]},
      "permissions": {"view-table": {"id": "bob"}},
      "tables": {"facetable": {"allow": {"id": "cat"}}, "other": {"allow": false}}}}})",
            {.default_deny = true, .root_enabled = true});
  f.engine.AddSource(std::make_unique<PublicTables>());
  std::vector<MaybeActor> actors = {
      std::nullopt,
      ActorFrom(R"({"id": "ann"})"),
      ActorFrom(R"({"id": "bob"})"),
      ActorFrom(R"({"id": "cat"})"),
      ActorFrom(R"({"id": "root"})"),
      ActorFrom(R"({"id": "ann", "_r": {"d": {"fixtures": ["vt"]}}})"),
      ActorFrom(R"({"id": "root", "_r": {"r": {"fixtures": {"other": ["view-table"]}}}})")};
  std::vector<Resource> resources = {Resource::Instance(),
                                     kFixtures,
                                     kFacetable,
                                     Resource::Table("fixtures", "other"),
                                     Resource::Database("elsewhere"),
                                     Resource::Table("elsewhere", "facetable")};
  std::vector<Action> actions = {Action::kViewInstance, Action::kViewDatabase, Action::kViewTable,
                                 Action::kExecuteSql, Action::kInsertRow};
  int allowed = 0;
  for (const MaybeActor& actor : actors) {
    for (Action action : actions) {
      for (const Resource& resource : resources) {
        bool explained = f.engine.Explain(actor, action, resource).allowed;
        EXPECT_EQ(f.engine.Allowed(actor, action, resource), explained)
            << (actor ? actor->id() : "anonymous") << " " << Info(action).name << " "
            << resource.database << "/" << resource.child;
        allowed += explained ? 1 : 0;
      }
    }
  }
  // Both outcomes occur (the comparison is not vacuous).
  EXPECT_GT(allowed, 10);
  EXPECT_LT(allowed, static_cast<int>(actors.size() * actions.size() * resources.size()) - 10);
}

// The log keeps the newest checks, newest first, each with its own actor (consecutive checks
// by the same actor share one copy of it).
TEST(PermissionEngine, TheLogKeepsTheNewestChecksWithTheirActors) {
  Fixture f("{}");
  MaybeActor ann = ActorFrom(R"({"id": "ann"})");
  MaybeActor bob = ActorFrom(R"({"id": "bob"})");
  for (int i = 0; i < 450; ++i) {
    const MaybeActor& actor = i % 3 == 2 ? bob : i % 3 == 1 ? std::nullopt : ann;
    (void)f.engine.Allowed(actor, Action::kViewTable,
                           Resource::Table("db", "t" + std::to_string(i)));
  }
  std::vector<PermissionCheck> checks = f.engine.RecentChecks();
  ASSERT_EQ(checks.size(), 200u);
  for (size_t k = 0; k < checks.size(); ++k) {
    int i = 449 - static_cast<int>(k);
    EXPECT_EQ(checks[k].resource.child, "t" + std::to_string(i));
    std::string expected = i % 3 == 2 ? "bob" : i % 3 == 1 ? "" : "ann";
    EXPECT_EQ(checks[k].actor ? checks[k].actor->id() : "", expected) << i;
  }
}

}  // namespace
}  // namespace almanac::auth

namespace almanac::auth {
namespace {

// Hosting mode: the role the front door hands over allows that role's actions, and nothing
// more; token restrictions still narrow it.
TEST(SpaceRoles, EachRoleAddsToTheOneBelow) {
  Fixture f("{}", {.default_deny = true, .root_enabled = true});
  f.engine.AddSource(MakeSpaceRoleSource());
  MaybeActor viewer = ActorFrom(R"({"id": "bob", "role": "viewer", "space": "a"})");
  MaybeActor member = ActorFrom(R"({"id": "bob", "role": "member", "space": "a"})");
  MaybeActor admin = ActorFrom(R"({"id": "bob", "role": "admin", "space": "a"})");
  MaybeActor owner = ActorFrom(R"({"id": "bob", "role": "owner", "space": "a"})");
  MaybeActor unknown = ActorFrom(R"({"id": "bob", "role": "superuser"})");
  EXPECT_TRUE(f.engine.Allowed(viewer, Action::kViewTable, kFacetable));
  EXPECT_TRUE(f.engine.Allowed(viewer, Action::kExecuteSql, kFixtures));
  EXPECT_FALSE(f.engine.Allowed(viewer, Action::kInsertRow, kFacetable));
  EXPECT_TRUE(f.engine.Allowed(member, Action::kInsertRow, kFacetable));
  EXPECT_TRUE(f.engine.Allowed(member, Action::kCreateTable, kFixtures));
  EXPECT_FALSE(f.engine.Allowed(member, Action::kDropTable, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(member, Action::kExecuteWriteSql, kFixtures));
  EXPECT_TRUE(f.engine.Allowed(admin, Action::kDropTable, kFacetable));
  EXPECT_TRUE(f.engine.Allowed(admin, Action::kExecuteWriteSql, kFixtures));
  EXPECT_TRUE(f.engine.Allowed(owner, Action::kAlterTable, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(unknown, Action::kViewTable, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(std::nullopt, Action::kViewTable, kFacetable));
  MaybeActor narrowed = ActorFrom(
      R"({"id": "bob", "role": "admin", "token": "almt", "_r": {"a": ["vt", "vd", "vi"]}})");
  EXPECT_TRUE(f.engine.Allowed(narrowed, Action::kViewTable, kFacetable));
  EXPECT_FALSE(f.engine.Allowed(narrowed, Action::kInsertRow, kFacetable));
}

}  // namespace
}  // namespace almanac::auth
