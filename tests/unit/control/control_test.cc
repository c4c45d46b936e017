#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/rate_limit.h"
#include "control/schema.h"
#include "control/store.h"

namespace almanac::control {
namespace {

// Cheap hashes keep the tests quick (the real cost is DefaultPasswordCost).
ControlStore::Options FastHashes() {
  return {PasswordCost{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}};
}

class ControlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("control_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "control.db").string();
    auto opened = ControlStore::Open(path_, FastHashes());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Account MakeAccount(const std::string& name) {
    auto account = store_->CreateAccount(name, "", "correct horse", 1000);
    EXPECT_TRUE(account.ok()) << account.status().message();
    return account.ok() ? *account : Account{};
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<ControlStore> store_;
};

TEST_F(ControlStoreTest, NewFileHasTheLatestSchemaAndIsPrivate) {
  EXPECT_EQ(store_->schema_version(), LatestSchemaVersion());
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ControlStoreTest, AnOlderDatabaseIsUpgradedKeepingItsRows) {
  store_.reset();
  std::string old_path = (dir_ / "old.db").string();
  {
    auto db = Db::Open(old_path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrate(*db, 1).ok());
    ASSERT_EQ(SchemaVersion(*db).value(), 1);
    ASSERT_TRUE(db->Run("INSERT INTO accounts (name, password_hash, created_at) VALUES "
                        "('early', 'x', 1)")
                    .ok());
    ASSERT_TRUE(
        db->Run("INSERT INTO spaces (name, display_name, created_at) VALUES ('old', 'Old', 1)")
            .ok());
  }
  auto upgraded = ControlStore::Open(old_path, FastHashes());
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().message();
  EXPECT_EQ((*upgraded)->schema_version(), LatestSchemaVersion());
  EXPECT_TRUE((*upgraded)->FindAccount("early").has_value());
  // Tables of the later migration work on the upgraded file.
  auto account = (*upgraded)->FindAccount("early").value();
  EXPECT_TRUE((*upgraded)->CreateToken("old", account.id, "t", "", std::nullopt, 5).ok());
}

TEST_F(ControlStoreTest, ANewerDatabaseIsRefused) {
  store_.reset();
  {
    auto db = Db::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 999").ok());
  }
  auto opened = ControlStore::Open(path_, FastHashes());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("newer"), std::string::npos);
}

TEST_F(ControlStoreTest, AccountsAndPasswords) {
  Account alice = MakeAccount("alice");
  EXPECT_EQ(store_->CreateAccount("alice", "", "another pass", 1).status().code(),
            ErrorCode::kConflict);
  EXPECT_FALSE(store_->CreateAccount("root", "", "long enough", 1).ok());
  EXPECT_FALSE(store_->CreateAccount("Bad Name", "", "long enough", 1).ok());
  EXPECT_FALSE(store_->CreateAccount("bob", "", "short", 1).ok());
  auto ok = store_->CheckPassword("alice", "correct horse");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->id, alice.id);
  auto wrong = store_->CheckPassword("alice", "wrong horse");
  auto nobody = store_->CheckPassword("nobody", "correct horse");
  EXPECT_EQ(wrong.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), nobody.status().message());
}

TEST(PasswordHashTest, DefaultCostIsArgon2idOwaspConfiguration) {
  auto hash = HashPassword("correct horse", DefaultPasswordCost());
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horsE"));
  EXPECT_FALSE(NeedsRehash(*hash, DefaultPasswordCost()));
  EXPECT_TRUE(NeedsRehash(*hash, FastHashes().password_cost));
  // A hash made at the earlier default (libsodium's INTERACTIVE: 2 passes over 64 MiB) still
  // signs in, and is re-hashed at today's cost then.
  auto earlier = HashPassword("correct horse", {2, size_t{64} * 1024 * 1024});
  ASSERT_TRUE(earlier.ok());
  EXPECT_TRUE(VerifyPassword(*earlier, "correct horse"));
  EXPECT_TRUE(NeedsRehash(*earlier, DefaultPasswordCost()));
}

TEST_F(ControlStoreTest, SessionsAreSignedAndRevokedServerSide) {
  Account alice = MakeAccount("alice");
  auto cookie = store_->CreateSession(alice.id, 1000);
  ASSERT_TRUE(cookie.ok());
  EXPECT_EQ(store_->SessionAccount(*cookie, 1001)->name, "alice");
  std::string tampered = *cookie;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(store_->SessionAccount(tampered, 1001));
  EXPECT_FALSE(store_->SessionAccount(*cookie, 1000 + kSessionSeconds));  // expired
  EXPECT_NE(store_->SessionCsrfToken(*cookie), store_->SessionCsrfToken(tampered));
  ASSERT_TRUE(store_->RevokeSession(*cookie, 1002).ok());
  EXPECT_FALSE(store_->SessionAccount(*cookie, 1003));
}

TEST_F(ControlStoreTest, SpacesMembershipsAndRoles) {
  Account alice = MakeAccount("alice");
  Account bob = MakeAccount("bob");
  ASSERT_TRUE(store_->AddSpace("team", "The team", alice.id, 1).ok());
  EXPECT_EQ(store_->RoleIn("team", alice.id), Role::kOwner);
  EXPECT_FALSE(store_->RoleIn("team", bob.id));
  ASSERT_TRUE(store_->SetRole("team", bob.id, Role::kViewer, 2).ok());
  EXPECT_EQ(store_->RoleIn("team", bob.id), Role::kViewer);
  ASSERT_TRUE(store_->SetRole("team", bob.id, Role::kMember, 3).ok());
  EXPECT_EQ(store_->RoleIn("team", bob.id), Role::kMember);
  EXPECT_EQ(store_->Members("team").size(), 2u);
  EXPECT_EQ(store_->SpacesOf(bob.id).size(), 1u);
  ASSERT_TRUE(store_->RemoveMember("team", bob.id).ok());
  EXPECT_FALSE(store_->RoleIn("team", bob.id));
  // Spaces made on the command line are imported without an owner.
  ASSERT_TRUE(store_->ImportSpaces({"team", "legacy"}, 4).ok());
  auto legacy = store_->FindSpace("legacy");
  ASSERT_TRUE(legacy);
  EXPECT_FALSE(legacy->owner_account_id);
  EXPECT_EQ(store_->FindSpace("team")->owner_name, "alice");
}

TEST_F(ControlStoreTest, OwnershipPassesToAMemberOnly) {
  Account alice = MakeAccount("alice");
  Account bob = MakeAccount("bob");
  Account carol = MakeAccount("carol");
  ASSERT_TRUE(store_->AddSpace("team", "", alice.id, 1).ok());
  ASSERT_TRUE(store_->SetRole("team", bob.id, Role::kMember, 2).ok());
  EXPECT_FALSE(store_->TransferOwnership("team", alice.id, carol.id, 3).ok());  // not a member
  EXPECT_FALSE(store_->TransferOwnership("team", bob.id, alice.id, 3).ok());    // not the owner
  EXPECT_EQ(store_->RoleIn("team", alice.id), Role::kOwner);
  ASSERT_TRUE(store_->TransferOwnership("team", alice.id, bob.id, 4).ok());
  EXPECT_EQ(store_->RoleIn("team", bob.id), Role::kOwner);
  EXPECT_EQ(store_->RoleIn("team", alice.id), Role::kAdmin);
  EXPECT_EQ(store_->FindSpace("team")->owner_name, "bob");
}

TEST_F(ControlStoreTest, TokensAreHashedExpireAndAreRevoked) {
  Account alice = MakeAccount("alice");
  ASSERT_TRUE(store_->AddSpace("team", "", alice.id, 1).ok());
  auto token = store_->CreateToken("team", alice.id, "ci", R"({"a":["vi"]})", 2000, 1000);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_TRUE(token->secret.starts_with(kApiTokenPrefix));
  auto used = store_->UseToken(token->secret, 1500);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->space, "team");
  EXPECT_EQ(used->restrictions, R"({"a":["vi"]})");
  EXPECT_EQ(store_->Tokens("team").front().last_used_at, 1500);
  EXPECT_FALSE(store_->UseToken(token->secret, 2000).ok());  // expired
  EXPECT_FALSE(store_->UseToken(token->secret + "x", 1500).ok());
  ASSERT_TRUE(store_->RevokeToken("team", token->record.id, 1600).ok());
  EXPECT_FALSE(store_->UseToken(token->secret, 1601).ok());
  EXPECT_FALSE(store_->RevokeToken("other", token->record.id, 1600).ok());
  // The secret itself is nowhere in the file.
  store_.reset();
  auto db = Db::Open(path_);
  auto rows = db->Query("SELECT count(*) FROM api_tokens WHERE token_hash = ?", {token->secret});
  ASSERT_TRUE(rows->Step().value());
  EXPECT_EQ(rows->Int(0), 0);
}

TEST_F(ControlStoreTest, InvitationsAreSingleUseAndExpire) {
  Account alice = MakeAccount("alice");
  Account bob = MakeAccount("bob");
  Account carol = MakeAccount("carol");
  ASSERT_TRUE(store_->AddSpace("team", "", alice.id, 1).ok());
  auto code = store_->CreateInvitation("team", Role::kViewer, alice.id, 2000, 1000);
  ASSERT_TRUE(code.ok());
  EXPECT_FALSE(store_->FindInvitation(*code + "0", 1001).ok());  // signature broken
  EXPECT_TRUE(store_->FindInvitation(*code, 1001).ok());
  ASSERT_TRUE(store_->AcceptInvitation(*code, bob.id, 1002).ok());
  EXPECT_EQ(store_->RoleIn("team", bob.id), Role::kViewer);
  EXPECT_FALSE(store_->AcceptInvitation(*code, carol.id, 1003).ok());  // used
  auto late = store_->CreateInvitation("team", Role::kMember, alice.id, 2000, 1000);
  EXPECT_FALSE(store_->AcceptInvitation(*late, carol.id, 2000).ok());  // expired
  EXPECT_FALSE(store_->CreateInvitation("team", Role::kOwner, alice.id, 2000, 1000).ok());
}

TEST_F(ControlStoreTest, AuditLogNewestFirst) {
  ASSERT_TRUE(store_->Audit("alice", "team", "invite", R"({"role":"viewer"})", 1).ok());
  ASSERT_TRUE(store_->Audit("alice", "team", "role", R"({"account":"bob"})", 2).ok());
  ASSERT_TRUE(store_->Audit("bob", "other", "token-create", "", 3).ok());
  auto log = store_->AuditLog("team", 10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "role");
  EXPECT_EQ(log[1].details, R"({"role":"viewer"})");
}

TEST(FailureLimiterTest, RefusesPastTheLimitUntilTheWindowPasses) {
  FailureLimiter limiter(3, std::chrono::seconds(60));
  auto t0 = FailureLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.RetryAfter("alice", t0));
    limiter.RecordFailure("alice", t0);
  }
  EXPECT_TRUE(limiter.RetryAfter("alice", t0 + std::chrono::seconds(59)));
  EXPECT_FALSE(limiter.RetryAfter("bob", t0));
  EXPECT_FALSE(limiter.RetryAfter("alice", t0 + std::chrono::seconds(60)));
  limiter.RecordFailure("bob", t0);
  limiter.Clear("bob");
  EXPECT_FALSE(limiter.RetryAfter("bob", t0));
}

}  // namespace
}  // namespace almanac::control
