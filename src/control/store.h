// ControlStore: the hosting mode's control plane, DIR/control.db — accounts, sessions, spaces
// and their owners, memberships with roles, API tokens, invitations and the audit log.
//
// Durability: WAL with synchronous=FULL. Control-plane writes are rare (a sign-up, a token, a
// role change) and each must survive a power cut once acknowledged: with NORMAL a revoked
// token or session could come back to life after a crash, and a revocation has to be final.
// The one frequent write, a token's last-used time, is made at most once a minute per token.
//
// Secrets are never stored: sessions, API tokens and invitation codes are kept as SHA-256
// hashes of what the client holds; passwords as argon2id hashes (control/crypto.h). The key
// that signs session cookies, CSRF tokens and invitation links is made on first open and kept
// in control.db's `meta` table (the file is mode 0600, outside every worker's sandbox).
//
// Thread-safe: one connection, one mutex. Password hashing happens outside the lock.
// `now` parameters are Unix seconds (tests pass their own clock).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/crypto.h"
#include "control/sqlite.h"
#include "core/result.h"

namespace almanac::control {

// A member's role in a space; each includes everything the one before may do.
enum class Role { kViewer, kMember, kAdmin, kOwner };
std::string_view RoleName(Role role);
std::optional<Role> RoleByName(std::string_view name);

// Ok when `name` can name an account: [a-z0-9_-], 1 to 40 characters, not "root" (the
// worker's all-powerful actor) nor another reserved word.
Status ValidateAccountName(std::string_view name);

struct Account {
  int64_t id = 0;
  std::string name;
  std::string email;
  int64_t created_at = 0;
};

struct SpaceRecord {
  int64_t id = 0;
  std::string name;
  std::string display_name;
  std::optional<int64_t> owner_account_id;  // none: made on the command line (admin token only)
  std::string owner_name;
  int64_t created_at = 0;
};

struct Member {
  Account account;
  Role role = Role::kViewer;
};

struct TokenRecord {
  int64_t id = 0;
  std::string space;
  int64_t account_id = 0;
  std::string account_name;
  std::string name;
  std::string restrictions;  // the "_r" object as JSON text, "" for none
  int64_t created_at = 0;
  std::optional<int64_t> expires_at, last_used_at, revoked_at;
};

struct Invitation {
  int64_t id = 0;
  std::string space;
  Role role = Role::kViewer;
  int64_t created_at = 0, expires_at = 0;
  std::optional<int64_t> accepted_by, accepted_at;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor;  // the account's name, or "cli" / "admin-token"
  std::string space;
  std::string action;   // "invite", "role", "token-create", ...
  std::string details;  // JSON object text
};

inline constexpr std::string_view kApiTokenPrefix = "almt_";
inline constexpr int64_t kSessionSeconds = 14 * 24 * 3600;

class ControlStore {
 public:
  struct Options {
    PasswordCost password_cost = DefaultPasswordCost();
  };
  // Opens DIR/control.db (made with mode 0600 when missing) and brings its schema up to date.
  static Result<std::unique_ptr<ControlStore>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<ControlStore>> Open(const std::string& path) {
    return Open(path, Options{});
  }

  int schema_version() const { return schema_version_; }

  // Accounts. CreateAccount fails with kConflict when the name is taken.
  Result<Account> CreateAccount(std::string_view name, std::string_view email,
                                std::string_view password, int64_t now);
  // The account when the password matches; Unauthenticated (the same message whether the name
  // or the password was wrong) otherwise. Re-hashes a hash made with weaker parameters.
  Result<Account> CheckPassword(std::string_view name, std::string_view password);
  std::optional<Account> FindAccount(std::string_view name);
  int64_t AccountCount();

  // Sessions. A cookie value is "<random id>.<HMAC of it>"; only the id's hash is stored.
  Result<std::string> CreateSession(int64_t account_id, int64_t now);
  // The signed-in account, or nullopt (bad signature, unknown, revoked or expired).
  std::optional<Account> SessionAccount(std::string_view cookie_value, int64_t now);
  Status RevokeSession(std::string_view cookie_value, int64_t now);
  // The CSRF token for forms of this session (an HMAC of the session id).
  std::string SessionCsrfToken(std::string_view cookie_value) const;
  // Signs and checks values the front door hands out (double-submit CSRF cookies).
  std::string Sign(std::string_view purpose, std::string_view value) const;

  // Spaces. AddSpace with an owner also makes the owner's membership (role owner).
  Status AddSpace(std::string_view name, std::string_view display_name,
                  std::optional<int64_t> owner_account_id, int64_t now);
  // Records spaces that exist on disk but not here (made by `create-space`, or before
  // control.db existed), without an owner: their admin token still reaches them. With an
  // `audit_actor`, each is also logged as made by it. One transaction for all.
  Status ImportSpaces(const std::vector<std::string>& names, int64_t now,
                      std::string_view audit_actor = "");
  Status RemoveSpace(std::string_view name);
  // Gives the space a new name (its members, tokens and invitations follow: they hold its
  // id), and its audit log entries too, so its history stays with it.
  Status RenameSpace(std::string_view from, std::string_view to);
  std::optional<SpaceRecord> FindSpace(std::string_view name);
  // The spaces `account_id` belongs to, with its role in each, by name.
  std::vector<std::pair<SpaceRecord, Role>> SpacesOf(int64_t account_id);

  // Memberships.
  std::optional<Role> RoleIn(std::string_view space, int64_t account_id);
  std::vector<Member> Members(std::string_view space);
  // Adds the account to the space with `role`, or changes its role.
  Status SetRole(std::string_view space, int64_t account_id, Role role, int64_t now);
  Status RemoveMember(std::string_view space, int64_t account_id);
  // Makes member `to_account` the space's owner; the owner before becomes an admin.
  Status TransferOwnership(std::string_view space, int64_t from_account, int64_t to_account,
                           int64_t now);

  // API tokens ("almt_..." + 32 random bytes; only the hash is kept). `restrictions` is an
  // "_r" object's JSON text ("" for none); `expires_at` none: never.
  struct NewToken {
    TokenRecord record;
    std::string secret;  // shown once
  };
  Result<NewToken> CreateToken(std::string_view space, int64_t account_id, std::string_view name,
                               std::string_view restrictions, std::optional<int64_t> expires_at,
                               int64_t now);
  std::vector<TokenRecord> Tokens(std::string_view space);
  // The token's record when `secret` is a live token (records its use, at most once a
  // minute); Unauthenticated when unknown, revoked or expired.
  Result<TokenRecord> UseToken(std::string_view secret, int64_t now);
  // Revokes token `id` of `space` (kNotFound when it is not one of the space's).
  Result<TokenRecord> RevokeToken(std::string_view space, int64_t id, int64_t now);

  // Invitations: a single-use link code "<random>.<HMAC>" with a role and an expiry.
  Result<std::string> CreateInvitation(std::string_view space, Role role, int64_t created_by,
                                       int64_t expires_at, int64_t now);
  // The live invitation a code names (kNotFound when forged, unknown, used or expired).
  Result<Invitation> FindInvitation(std::string_view code, int64_t now);
  // Uses the invitation (once): the account becomes a member with its role (an existing
  // member keeps the higher of the two roles).
  Result<Invitation> AcceptInvitation(std::string_view code, int64_t account_id, int64_t now);

  // The audit log.
  Status Audit(std::string_view actor, std::string_view space, std::string_view action,
               std::string_view details_json, int64_t now);
  // Newest first.
  std::vector<AuditEntry> AuditLog(std::string_view space, int limit);

 private:
  ControlStore(Db db, Options options, std::string key, int version)
      : db_(std::move(db)), options_(options), key_(std::move(key)), schema_version_(version) {}
  std::optional<int64_t> SpaceIdLocked(std::string_view space);
  std::optional<std::string> VerifySigned(std::string_view purpose, std::string_view value) const;

  std::mutex mutex_;
  Db db_;
  Options options_;
  const std::string key_;
  int schema_version_;
};

}  // namespace almanac::control
