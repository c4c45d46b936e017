#include "control/store.h"

#include <array>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/schema.h"

namespace almanac::control {
namespace {

constexpr std::array<std::string_view, 4> kRoleNames = {"viewer", "member", "admin", "owner"};
constexpr std::string_view kBadCredentials = "Wrong account name or password";

Account AccountFrom(const Stmt& row, int first) {
  return {row.Int(first), row.Text(first + 1), row.Text(first + 2), row.Int(first + 3)};
}

// "<value>.<signature>" split; nullopt when there is no dot.
std::optional<std::pair<std::string_view, std::string_view>> SplitSigned(std::string_view text) {
  size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  return std::make_pair(text.substr(0, dot), text.substr(dot + 1));
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

std::optional<Role> RoleByName(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

Status ValidateAccountName(std::string_view name) {
  if (name.empty() || name.size() > 40) {
    return InvalidArgument("An account name has 1 to 40 characters");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return InvalidArgument("An account name uses lower-case letters, digits, '-' and '_' only");
    }
  }
  for (std::string_view reserved : {"root", "admin", "anonymous", "cli", "admin-token"}) {
    if (name == reserved)
      return InvalidArgument("The account name '" + std::string(name) + "' is reserved");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ControlStore>> ControlStore::Open(const std::string& path, Options options) {
  if (!InitCrypto()) return Status(ErrorCode::kInternal, "libsodium could not be initialised");
  // Made private before SQLite writes anything into it.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status(ErrorCode::kInternal, "Cannot open " + path);
  ::fchmod(fd, 0600);
  ::close(fd);
  ALM_ASSIGN_OR_RETURN(Db db, Db::Open(path));
  ALM_RETURN_IF_ERROR(
      db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"));
  ALM_RETURN_IF_ERROR(Migrate(db));
  ALM_ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  // The signing key: made once, kept.
  (void)db.Run("INSERT OR IGNORE INTO meta (key, value) VALUES ('signing_key', ?)",
               {RandomToken(32)});
  ALM_ASSIGN_OR_RETURN(Stmt key_row, db.Query("SELECT value FROM meta WHERE key = 'signing_key'"));
  ALM_ASSIGN_OR_RETURN(bool found, key_row.Step());
  if (!found) return Status(ErrorCode::kInternal, "control.db has no signing key");
  std::string key = key_row.Text(0);
  return std::unique_ptr<ControlStore>(new ControlStore(std::move(db), options, key, version));
}

// --- accounts ---

Result<Account> ControlStore::CreateAccount(std::string_view name, std::string_view email,
                                            std::string_view password, int64_t now) {
  ALM_RETURN_IF_ERROR(ValidateAccountName(name));
  if (password.size() < 8) return InvalidArgument("A password has 8 characters at least");
  if (password.size() > 1024) return InvalidArgument("That password is too long");
  if (FindAccount(name)) {
    return Status(ErrorCode::kConflict, "The account name '" + std::string(name) + "' is taken");
  }
  ALM_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, options_.password_cost));
  std::lock_guard lock(mutex_);
  Result<int64_t> inserted =
      db_.Run("INSERT INTO accounts (name, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
              {std::string(name), std::string(email), hash, now});
  if (!inserted.ok()) {
    if (inserted.status().code() == ErrorCode::kConflict) {
      return Status(ErrorCode::kConflict, "The account name '" + std::string(name) + "' is taken");
    }
    return inserted.status();
  }
  return Account{db_.LastInsertRowid(), std::string(name), std::string(email), now};
}

Result<Account> ControlStore::CheckPassword(std::string_view name, std::string_view password) {
  std::string hash;
  Account account;
  {
    std::lock_guard lock(mutex_);
    ALM_ASSIGN_OR_RETURN(
        Stmt row,
        db_.Query("SELECT id, name, email, created_at, password_hash FROM accounts WHERE name = ?",
                  {std::string(name)}));
    ALM_ASSIGN_OR_RETURN(bool found, row.Step());
    if (found) {
      account = AccountFrom(row, 0);
      hash = row.Text(4);
    }
  }
  if (hash.empty()) {
    // The same work as for a real account, so that timing does not tell names apart.
    static const std::string dummy = HashPassword("not a password", options_.password_cost).value();
    (void)VerifyPassword(dummy, password);
    return Status(ErrorCode::kUnauthenticated, std::string(kBadCredentials));
  }
  if (!VerifyPassword(hash, password)) {
    return Status(ErrorCode::kUnauthenticated, std::string(kBadCredentials));
  }
  if (NeedsRehash(hash, options_.password_cost)) {
    if (Result<std::string> rehashed = HashPassword(password, options_.password_cost);
        rehashed.ok()) {
      std::lock_guard lock(mutex_);
      (void)db_.Run("UPDATE accounts SET password_hash = ? WHERE id = ?", {*rehashed, account.id});
    }
  }
  return account;
}

std::optional<Account> ControlStore::FindAccount(std::string_view name) {
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query("SELECT id, name, email, created_at FROM accounts WHERE name = ?",
                               {std::string(name)});
  if (!row.ok()) return std::nullopt;
  Result<bool> found = row->Step();
  if (!found.ok() || !*found) return std::nullopt;
  return AccountFrom(*row, 0);
}

int64_t ControlStore::AccountCount() {
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query("SELECT count(*) FROM accounts");
  if (!row.ok()) return 0;
  Result<bool> found = row->Step();
  return found.ok() && *found ? row->Int(0) : 0;
}

// --- signing ---

std::string ControlStore::Sign(std::string_view purpose, std::string_view value) const {
  return std::string(value) + "." +
         HmacHex(key_, std::string(purpose) + ":" + std::string(value)).substr(0, 32);
}

std::optional<std::string> ControlStore::VerifySigned(std::string_view purpose,
                                                      std::string_view value) const {
  auto parts = SplitSigned(value);
  if (!parts) return std::nullopt;
  std::string expected = Sign(purpose, parts->first);
  if (!SameSecret(expected, value)) return std::nullopt;
  return std::string(parts->first);
}

// --- sessions ---

Result<std::string> ControlStore::CreateSession(int64_t account_id, int64_t now) {
  std::string id = RandomToken(32);
  std::lock_guard lock(mutex_);
  ALM_RETURN_IF_ERROR(db_.Run("INSERT INTO sessions (id_hash, account_id, created_at, expires_at) "
                              "VALUES (?, ?, ?, ?)",
                              {Sha256Hex(id), account_id, now, now + kSessionSeconds})
                          .status());
  return Sign("session", id);
}

std::optional<Account> ControlStore::SessionAccount(std::string_view cookie_value, int64_t now) {
  std::optional<std::string> id = VerifySigned("session", cookie_value);
  if (!id) return std::nullopt;
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query(
      "SELECT a.id, a.name, a.email, a.created_at FROM sessions s JOIN accounts a "
      "ON a.id = s.account_id WHERE s.id_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
      {Sha256Hex(*id), now});
  if (!row.ok()) return std::nullopt;
  Result<bool> found = row->Step();
  if (!found.ok() || !*found) return std::nullopt;
  return AccountFrom(*row, 0);
}

Status ControlStore::RevokeSession(std::string_view cookie_value, int64_t now) {
  std::optional<std::string> id = VerifySigned("session", cookie_value);
  if (!id) return Status::Ok();
  std::lock_guard lock(mutex_);
  return db_
      .Run("UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL",
           {now, Sha256Hex(*id)})
      .status();
}

std::string ControlStore::SessionCsrfToken(std::string_view cookie_value) const {
  return HmacHex(key_, "csrf:" + std::string(cookie_value)).substr(0, 40);
}

// --- spaces and memberships ---

std::optional<int64_t> ControlStore::SpaceIdLocked(std::string_view space) {
  Result<Stmt> row = db_.Query("SELECT id FROM spaces WHERE name = ?", {std::string(space)});
  if (!row.ok()) return std::nullopt;
  Result<bool> found = row->Step();
  if (!found.ok() || !*found) return std::nullopt;
  return row->Int(0);
}

Status ControlStore::AddSpace(std::string_view name, std::string_view display_name,
                              std::optional<int64_t> owner_account_id, int64_t now) {
  std::lock_guard lock(mutex_);
  ALM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  Status done = db_.Run(
                       "INSERT INTO spaces (name, display_name, owner_account_id, created_at) "
                       "VALUES (?, ?, ?, ?)",
                       {std::string(name), std::string(display_name.empty() ? name : display_name),
                        owner_account_id ? Param(*owner_account_id) : Param(), now})
                    .status();
  if (done.ok() && owner_account_id) {
    done = db_.Run(
                  "INSERT INTO memberships (space_id, account_id, role, created_at) "
                  "VALUES (?, ?, 'owner', ?)",
                  {db_.LastInsertRowid(), *owner_account_id, now})
               .status();
  }
  if (!done.ok()) {
    (void)db_.Exec("ROLLBACK");
    return done;
  }
  return db_.Exec("COMMIT");
}

Status ControlStore::ImportSpaces(const std::vector<std::string>& names, int64_t now,
                                  std::string_view audit_actor) {
  std::lock_guard lock(mutex_);
  // One transaction (one sync) for all: 10,000 spaces take a moment, not 10,000 fsyncs.
  ALM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  for (const std::string& name : names) {
    Status added = db_.Run(
                          "INSERT OR IGNORE INTO spaces (name, display_name, created_at) "
                          "VALUES (?, ?, ?)",
                          {name, name, now})
                       .status();
    if (added.ok() && !audit_actor.empty()) {
      added = db_.Run(
                     "INSERT INTO audit_log (at, actor, space, action) VALUES "
                     "(?, ?, ?, 'space-create')",
                     {now, std::string(audit_actor), name})
                  .status();
    }
    if (!added.ok()) {
      (void)db_.Exec("ROLLBACK");
      return added;
    }
  }
  return db_.Exec("COMMIT");
}

Status ControlStore::RemoveSpace(std::string_view name) {
  std::lock_guard lock(mutex_);
  return db_.Run("DELETE FROM spaces WHERE name = ?", {std::string(name)}).status();
}

Status ControlStore::RenameSpace(std::string_view from, std::string_view to) {
  std::lock_guard lock(mutex_);
  ALM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  Result<int64_t> renamed = db_.Run(
      "UPDATE spaces SET name = ?, display_name = CASE display_name WHEN name THEN ? "
      "ELSE display_name END WHERE name = ?",
      {std::string(to), std::string(to), std::string(from)});
  Status done = !renamed.ok()   ? renamed.status()
                : *renamed != 1 ? NotFound("Space not found")
                                : db_.Run("UPDATE audit_log SET space = ? WHERE space = ?",
                                          {std::string(to), std::string(from)})
                                      .status();
  if (!done.ok()) {
    (void)db_.Exec("ROLLBACK");
    return done;
  }
  return db_.Exec("COMMIT");
}

std::optional<SpaceRecord> ControlStore::FindSpace(std::string_view name) {
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query(
      "SELECT s.id, s.name, s.display_name, s.owner_account_id, coalesce(a.name, ''), "
      "s.created_at FROM spaces s LEFT JOIN accounts a ON a.id = s.owner_account_id "
      "WHERE s.name = ?",
      {std::string(name)});
  if (!row.ok()) return std::nullopt;
  Result<bool> found = row->Step();
  if (!found.ok() || !*found) return std::nullopt;
  return SpaceRecord{row->Int(0),      row->Text(1), row->Text(2),
                     row->MaybeInt(3), row->Text(4), row->Int(5)};
}

std::vector<std::pair<SpaceRecord, Role>> ControlStore::SpacesOf(int64_t account_id) {
  std::vector<std::pair<SpaceRecord, Role>> out;
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query(
      "SELECT s.id, s.name, s.display_name, s.owner_account_id, coalesce(a.name, ''), "
      "s.created_at, m.role FROM memberships m JOIN spaces s ON s.id = m.space_id "
      "LEFT JOIN accounts a ON a.id = s.owner_account_id WHERE m.account_id = ? ORDER BY s.name",
      {account_id});
  if (!row.ok()) return out;
  while (true) {
    Result<bool> more = row->Step();
    if (!more.ok() || !*more) break;
    out.emplace_back(SpaceRecord{row->Int(0), row->Text(1), row->Text(2), row->MaybeInt(3),
                                 row->Text(4), row->Int(5)},
                     RoleByName(row->Text(6)).value_or(Role::kViewer));
  }
  return out;
}

std::optional<Role> ControlStore::RoleIn(std::string_view space, int64_t account_id) {
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query(
      "SELECT m.role FROM memberships m JOIN spaces s ON s.id = m.space_id "
      "WHERE s.name = ? AND m.account_id = ?",
      {std::string(space), account_id});
  if (!row.ok()) return std::nullopt;
  Result<bool> found = row->Step();
  if (!found.ok() || !*found) return std::nullopt;
  return RoleByName(row->Text(0));
}

std::vector<Member> ControlStore::Members(std::string_view space) {
  std::vector<Member> out;
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query(
      "SELECT a.id, a.name, a.email, a.created_at, m.role FROM memberships m "
      "JOIN spaces s ON s.id = m.space_id JOIN accounts a ON a.id = m.account_id "
      "WHERE s.name = ? ORDER BY a.name",
      {std::string(space)});
  if (!row.ok()) return out;
  while (true) {
    Result<bool> more = row->Step();
    if (!more.ok() || !*more) break;
    out.push_back({AccountFrom(*row, 0), RoleByName(row->Text(4)).value_or(Role::kViewer)});
  }
  return out;
}

Status ControlStore::SetRole(std::string_view space, int64_t account_id, Role role, int64_t now) {
  std::lock_guard lock(mutex_);
  std::optional<int64_t> space_id = SpaceIdLocked(space);
  if (!space_id) return NotFound("Space not found");
  return db_
      .Run(
          "INSERT INTO memberships (space_id, account_id, role, created_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (space_id, account_id) DO UPDATE SET role = excluded.role",
          {*space_id, account_id, std::string(RoleName(role)), now})
      .status();
}

Status ControlStore::RemoveMember(std::string_view space, int64_t account_id) {
  std::lock_guard lock(mutex_);
  std::optional<int64_t> space_id = SpaceIdLocked(space);
  if (!space_id) return NotFound("Space not found");
  ALM_ASSIGN_OR_RETURN(int64_t removed,
                       db_.Run("DELETE FROM memberships WHERE space_id = ? AND account_id = ?",
                               {*space_id, account_id}));
  if (removed == 0) return NotFound("Not a member of this space");
  // A removed member's tokens for the space stop working with it.
  return db_
      .Run(
          "UPDATE api_tokens SET revoked_at = strftime('%s') WHERE space_id = ? AND "
          "account_id = ? AND revoked_at IS NULL",
          {*space_id, account_id})
      .status();
}

Status ControlStore::TransferOwnership(std::string_view space, int64_t from_account,
                                       int64_t to_account, int64_t now) {
  (void)now;
  std::lock_guard lock(mutex_);
  std::optional<int64_t> space_id = SpaceIdLocked(space);
  if (!space_id) return NotFound("Space not found");
  ALM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  Result<int64_t> to = db_.Run(
      "UPDATE memberships SET role = 'owner' WHERE space_id = ? AND "
      "account_id = ? AND role != 'owner'",
      {*space_id, to_account});
  Result<int64_t> from = to.ok() ? db_.Run(
                                       "UPDATE memberships SET role = 'admin' WHERE "
                                       "space_id = ? AND account_id = ? AND role = 'owner'",
                                       {*space_id, from_account})
                                 : to;
  Status done =
      !to.ok()     ? to.status()
      : !from.ok() ? from.status()
      : (*to != 1 || *from != 1)
          ? NotFound("Ownership passes from the owner to another member of the space")
          : db_.Run("UPDATE spaces SET owner_account_id = ? WHERE id = ?", {to_account, *space_id})
                .status();
  if (!done.ok()) {
    (void)db_.Exec("ROLLBACK");
    return done;
  }
  return db_.Exec("COMMIT");
}

}  // namespace almanac::control
