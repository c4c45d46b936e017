// SpacePolicy: what a space's owner decided that the space's worker must apply, kept in one JSON
// file that the front door (and `almanac cloud` on the command line) writes and the worker only
// reads:
//     {"public_tables": ["data/places", ...], "public_databases": ["open"],
//      "public_sql": ["open"], "public_queries": ["data/by_year"]}
// Everyone, anonymous visitors included, may view: the tables named "DATABASE/TABLE"; every
// table and canned query of a public database (and run read-only SQL there when it is also in
// public_sql: only a public database may allow SQL, since SQL reads every table of its
// database); the canned queries named "DATABASE/QUERY".
// The space's own canned queries (its admins save them through the front door: the worker
// reads no config file) are kept as a config file's `queries:` blocks are, by database:
//     {"queries": {"data": {"by_year": {"sql": "select ...", "title": "By year"}}}}
// Other members are kept as they are (later parts add their own settings).
//
// Where it lives: DIR/policy/NAME/policy.json on the host, replaced whole by rename (never
// written in place, so a reader sees the old file or the new one, never half of one). The
// worker sees the directory DIR/policy/NAME mounted read-only at /policy (see docs/cloud.md,
// "Per-space policy"), so it can neither change the policy nor swap the file.
//
// The worker keeps the policy in a SpacePolicyFile: asked for the policy, it looks at the file
// again (stat: device, inode, size, modification time) when the last look is older than the
// check interval, and parses it only when one of those changed. No thread, no inotify: the
// first permission check after a change (and the interval) applies it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <sys/types.h>

#include "auth/permissions.h"
#include "core/result.h"
#include "format/json_value.h"

namespace almanac::cloud {

inline constexpr std::string_view kPolicyFileName = "policy.json";
// Where a sandboxed worker sees its space's policy directory.
inline constexpr std::string_view kSandboxPolicyDir = "/policy";

struct SpacePolicy {
  format::JsonValue document = format::JsonValue::MakeObject();
  std::set<std::pair<std::string, std::string>> public_tables;   // (database, table)
  std::set<std::string> public_databases;                        // every table and query of it
  std::set<std::string> public_sql;                              // of public databases only
  std::set<std::pair<std::string, std::string>> public_queries;  // (database, canned query)

  // True when the table itself is listed (not when its whole database is public).
  bool IsPublic(std::string_view database, std::string_view table) const;
  // True when anything at all is public (anonymous visitors may then ask the worker).
  bool HasPublic() const;
  // Each adds or removes an entry (in both the sets and the document).
  void SetPublic(const std::string& database, const std::string& table, bool is_public);
  // A public database may also allow read-only SQL; making it private removes both.
  void SetPublicDatabase(const std::string& database, bool is_public, bool sql);
  void SetPublicQuery(const std::string& database, const std::string& query, bool is_public);

  // The space's canned queries of `database` ({name: {"sql", "title", "description"}}), or
  // null when it has none.
  const format::JsonValue* QueriesOf(std::string_view database) const;
  bool HasQuery(std::string_view database, std::string_view query) const;
  // Saves (adds or replaces) a read-only canned query; the title and description may be empty.
  void SaveQuery(const std::string& database, const std::string& query, const std::string& sql,
                 const std::string& title, const std::string& description);
  // Removes a canned query, and with it its public entry.
  void RemoveQuery(const std::string& database, const std::string& query);
};

// Parses a policy file's text; an InvalidArgument error says what is wrong with it.
Result<SpacePolicy> ParseSpacePolicy(std::string_view json);
// The policy as it is written to the file (the document, with its public tables).
std::string SpacePolicyJson(const SpacePolicy& policy);

// Reads the policy in `directory` (DIR/policy/NAME); no file is the empty policy.
Result<SpacePolicy> ReadSpacePolicy(const std::string& directory);
// Replaces the policy in `directory` (made if missing, mode 0755) by a new file, mode 0444,
// renamed over the old one.
Status WriteSpacePolicy(const std::string& directory, const SpacePolicy& policy);

// A worker's view of its policy file, reloaded when it changes.
class SpacePolicyFile {
 public:
  SpacePolicyFile(std::string path, std::chrono::milliseconds check_interval);

  // The policy as the file now says (looked at again when the last look is older than the
  // interval). A file that cannot be parsed leaves the previous policy in force (logged).
  std::shared_ptr<const SpacePolicy> Current();
  // A number that changes whenever Current() does (pages' ETags include it).
  uint64_t Generation();

 private:
  struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = -1;
    int64_t modified_ns = -1;
    bool operator==(const FileIdentity&) const = default;
  };
  void CheckLocked();  // with mutex_ held: Reload when the last look is older than the interval
  void Reload();

  const std::string path_;
  const std::chrono::milliseconds check_interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point checked_{};
  FileIdentity seen_{};
  std::shared_ptr<const SpacePolicy> current_;
  uint64_t generation_ = 0;
};

// The permission rules a policy gives: view-table on each public table, for every actor.
std::unique_ptr<auth::RuleSource> MakeSpacePolicySource(std::shared_ptr<SpacePolicyFile> file);

}  // namespace almanac::cloud
