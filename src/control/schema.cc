#include "control/schema.h"

#include <string>

namespace almanac::control {
namespace {

// Times are Unix seconds. Secrets are never stored: sessions, API tokens and invitation codes
// are kept as the SHA-256 of what the client holds.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  id_hash TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE TABLE spaces (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  owner_account_id INTEGER REFERENCES accounts(id),
  created_at INTEGER NOT NULL
);
CREATE TABLE memberships (
  space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (space_id, account_id)
);
CREATE INDEX memberships_account ON memberships(account_id);
)sql"},
    {2, R"sql(
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  restrictions TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_space ON api_tokens(space_id);
CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  code_hash TEXT NOT NULL UNIQUE,
  space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin')),
  created_by INTEGER REFERENCES accounts(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  accepted_by INTEGER REFERENCES accounts(id),
  accepted_at INTEGER
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  space TEXT,
  action TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_space ON audit_log(space, id);
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> SchemaVersion(Db& db) {
  ALM_ASSIGN_OR_RETURN(Stmt stmt, db.Query("PRAGMA user_version"));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.Int(0)) : 0;
}

Status Migrate(Db& db, int target) {
  if (target <= 0) target = LatestSchemaVersion();
  ALM_ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  if (version > LatestSchemaVersion()) {
    return Status(ErrorCode::kConflict, "control.db has schema version " + std::to_string(version) +
                                            ", newer than this almanac knows (" +
                                            std::to_string(LatestSchemaVersion()) +
                                            "): run a newer almanac");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version || migration.version > target) continue;
    ALM_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    // Another process may have applied it while this one waited for the lock.
    Result<int> now_at = SchemaVersion(db);
    Status applied = now_at.ok() ? Status::Ok() : now_at.status();
    if (applied.ok() && *now_at < migration.version) {
      applied = db.Exec(migration.sql);
      if (applied.ok()) {
        applied = db.Exec("PRAGMA user_version = " + std::to_string(migration.version));
      }
    }
    if (!applied.ok()) {
      (void)db.Exec("ROLLBACK");
      return applied;
    }
    ALM_RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return Status::Ok();
}

}  // namespace almanac::control
