// SpacePolicy: what a space's owner decided that the space's worker must apply, kept in one JSON
// file that the front door (and `almanac cloud` on the command line) writes and the worker only
// reads:
//     {"public_tables": ["data/places", ...]}
// "DATABASE/TABLE" entries name tables that everyone may view, anonymous visitors included.
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
  std::set<std::pair<std::string, std::string>> public_tables;  // (database, table)

  bool IsPublic(std::string_view database, std::string_view table) const;
  // Adds or removes a public table (in both the set and the document).
  void SetPublic(const std::string& database, const std::string& table, bool is_public);
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

 private:
  struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = -1;
    int64_t modified_ns = -1;
    bool operator==(const FileIdentity&) const = default;
  };
  void Reload();

  const std::string path_;
  const std::chrono::milliseconds check_interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point checked_{};
  FileIdentity seen_{};
  std::shared_ptr<const SpacePolicy> current_;
};

// The permission rules a policy gives: view-table on each public table, for every actor.
std::unique_ptr<auth::RuleSource> MakeSpacePolicySource(std::shared_ptr<SpacePolicyFile> file);

}  // namespace almanac::cloud
