// ControlStore: API tokens, invitations and the audit log (store.cc has the rest).
#include "control/store.h"

namespace almanac::control {
namespace {

constexpr int64_t kLastUsedGranularity = 60;  // seconds between last-used writes of a token

constexpr std::string_view kTokenColumns =
    "t.id, s.name, t.account_id, a.name, t.name, coalesce(t.restrictions, ''), t.created_at, "
    "t.expires_at, t.last_used_at, t.revoked_at";

TokenRecord TokenFrom(const Stmt& row) {
  return {row.Int(0),  row.Text(1), row.Int(2),      row.Text(3),     row.Text(4),
          row.Text(5), row.Int(6),  row.MaybeInt(7), row.MaybeInt(8), row.MaybeInt(9)};
}

}  // namespace

Result<ControlStore::NewToken> ControlStore::CreateToken(std::string_view space, int64_t account_id,
                                                         std::string_view name,
                                                         std::string_view restrictions,
                                                         std::optional<int64_t> expires_at,
                                                         int64_t now) {
  std::string secret = std::string(kApiTokenPrefix) + RandomToken(32);
  std::lock_guard lock(mutex_);
  std::optional<int64_t> space_id = SpaceIdLocked(space);
  if (!space_id) return NotFound("Space not found");
  ALM_RETURN_IF_ERROR(
      db_.Run("INSERT INTO api_tokens (token_hash, space_id, account_id, name, restrictions, "
              "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {Sha256Hex(secret), *space_id, account_id, std::string(name),
               restrictions.empty() ? Param() : Param(std::string(restrictions)), now,
               expires_at ? Param(*expires_at) : Param()})
          .status());
  int64_t id = db_.LastInsertRowid();
  ALM_ASSIGN_OR_RETURN(Stmt row, db_.Query("SELECT " + std::string(kTokenColumns) +
                                               " FROM api_tokens t JOIN spaces s ON s.id = "
                                               "t.space_id JOIN accounts a ON a.id = "
                                               "t.account_id WHERE t.id = ?",
                                           {id}));
  ALM_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return Status(ErrorCode::kInternal, "The new token vanished");
  return NewToken{TokenFrom(row), secret};
}

std::vector<TokenRecord> ControlStore::Tokens(std::string_view space) {
  std::vector<TokenRecord> out;
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query("SELECT " + std::string(kTokenColumns) +
                                   " FROM api_tokens t JOIN spaces s ON s.id = t.space_id "
                                   "JOIN accounts a ON a.id = t.account_id WHERE s.name = ? "
                                   "ORDER BY t.id DESC",
                               {std::string(space)});
  if (!row.ok()) return out;
  while (true) {
    Result<bool> more = row->Step();
    if (!more.ok() || !*more) break;
    out.push_back(TokenFrom(*row));
  }
  return out;
}

Result<TokenRecord> ControlStore::UseToken(std::string_view secret, int64_t now) {
  const Status refused(ErrorCode::kUnauthenticated, "Invalid, expired or revoked token");
  if (!secret.starts_with(kApiTokenPrefix)) return refused;
  std::lock_guard lock(mutex_);
  ALM_ASSIGN_OR_RETURN(Stmt row, db_.Query("SELECT " + std::string(kTokenColumns) +
                                               " FROM api_tokens t JOIN spaces s ON s.id = "
                                               "t.space_id JOIN accounts a ON a.id = "
                                               "t.account_id WHERE t.token_hash = ?",
                                           {Sha256Hex(secret)}));
  ALM_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return refused;
  TokenRecord token = TokenFrom(row);
  if (token.revoked_at || (token.expires_at && *token.expires_at <= now)) return refused;
  if (!token.last_used_at || *token.last_used_at + kLastUsedGranularity <= now) {
    (void)db_.Run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now, token.id});
    token.last_used_at = now;
  }
  return token;
}

Result<TokenRecord> ControlStore::RevokeToken(std::string_view space, int64_t id, int64_t now) {
  std::lock_guard lock(mutex_);
  ALM_ASSIGN_OR_RETURN(Stmt row, db_.Query("SELECT " + std::string(kTokenColumns) +
                                               " FROM api_tokens t JOIN spaces s ON s.id = "
                                               "t.space_id JOIN accounts a ON a.id = "
                                               "t.account_id WHERE t.id = ? AND s.name = ?",
                                           {id, std::string(space)}));
  ALM_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return NotFound("No such token in this space");
  TokenRecord token = TokenFrom(row);
  if (!token.revoked_at) {
    ALM_RETURN_IF_ERROR(
        db_.Run("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", {now, id}).status());
    token.revoked_at = now;
  }
  return token;
}

Result<std::string> ControlStore::CreateInvitation(std::string_view space, Role role,
                                                   int64_t created_by, int64_t expires_at,
                                                   int64_t now) {
  if (role == Role::kOwner) return InvalidArgument("An invitation cannot make an owner");
  std::string code = RandomToken(24);
  std::lock_guard lock(mutex_);
  std::optional<int64_t> space_id = SpaceIdLocked(space);
  if (!space_id) return NotFound("Space not found");
  ALM_RETURN_IF_ERROR(
      db_.Run(
             "INSERT INTO invitations (code_hash, space_id, role, created_by, created_at, "
             "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
             {Sha256Hex(code), *space_id, std::string(RoleName(role)), created_by, now, expires_at})
          .status());
  return Sign("invite", code);
}

Result<Invitation> ControlStore::FindInvitation(std::string_view code, int64_t now) {
  const Status gone = NotFound("This invitation is unknown, used or expired");
  std::optional<std::string> raw = VerifySigned("invite", code);
  if (!raw) return gone;
  std::lock_guard lock(mutex_);
  ALM_ASSIGN_OR_RETURN(
      Stmt row, db_.Query("SELECT i.id, s.name, i.role, i.created_at, i.expires_at, i.accepted_by, "
                          "i.accepted_at FROM invitations i JOIN spaces s ON s.id = i.space_id "
                          "WHERE i.code_hash = ?",
                          {Sha256Hex(*raw)}));
  ALM_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return gone;
  Invitation invitation{row.Int(0),     row.Text(1), RoleByName(row.Text(2)).value(),
                        row.Int(3),     row.Int(4),  row.MaybeInt(5),
                        row.MaybeInt(6)};
  if (invitation.accepted_at || invitation.expires_at <= now) return gone;
  return invitation;
}

Result<Invitation> ControlStore::AcceptInvitation(std::string_view code, int64_t account_id,
                                                  int64_t now) {
  ALM_ASSIGN_OR_RETURN(Invitation invitation, FindInvitation(code, now));
  std::optional<Role> current = RoleIn(invitation.space, account_id);
  std::lock_guard lock(mutex_);
  ALM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  // Single use: only the first of two concurrent acceptances changes the row.
  Result<int64_t> claimed = db_.Run(
      "UPDATE invitations SET accepted_by = ?, accepted_at = ? WHERE id = ? AND "
      "accepted_at IS NULL",
      {account_id, now, invitation.id});
  Status done = claimed.ok() ? Status::Ok() : claimed.status();
  if (done.ok() && *claimed == 0) done = NotFound("This invitation is unknown, used or expired");
  if (done.ok() && (!current || *current < invitation.role)) {
    done = db_.Run(
                  "INSERT INTO memberships (space_id, account_id, role, created_at) "
                  "SELECT space_id, ?, role, ? FROM invitations WHERE id = ? "
                  "ON CONFLICT (space_id, account_id) DO UPDATE SET role = excluded.role",
                  {account_id, now, invitation.id})
               .status();
  }
  if (!done.ok()) {
    (void)db_.Exec("ROLLBACK");
    return done;
  }
  ALM_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  invitation.accepted_by = account_id;
  invitation.accepted_at = now;
  return invitation;
}

Status ControlStore::Audit(std::string_view actor, std::string_view space, std::string_view action,
                           std::string_view details_json, int64_t now) {
  std::lock_guard lock(mutex_);
  return db_
      .Run("INSERT INTO audit_log (at, actor, space, action, details) VALUES (?, ?, ?, ?, ?)",
           {now, std::string(actor), std::string(space), std::string(action),
            std::string(details_json.empty() ? "{}" : details_json)})
      .status();
}

std::vector<AuditEntry> ControlStore::AuditLog(std::string_view space, int limit) {
  std::vector<AuditEntry> out;
  std::lock_guard lock(mutex_);
  Result<Stmt> row = db_.Query(
      "SELECT id, at, actor, coalesce(space, ''), action, details FROM audit_log "
      "WHERE space = ? ORDER BY id DESC LIMIT ?",
      {std::string(space), int64_t{limit}});
  if (!row.ok()) return out;
  while (true) {
    Result<bool> more = row->Step();
    if (!more.ok() || !*more) break;
    out.push_back(
        {row->Int(0), row->Int(1), row->Text(2), row->Text(3), row->Text(4), row->Text(5)});
  }
  return out;
}

}  // namespace almanac::control
