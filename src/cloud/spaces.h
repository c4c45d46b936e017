// Spaces: the hosting mode's tenants, as files under the data directory. A space is a name
// ([a-z0-9-]{1,63}, not a reserved word), a directory of SQLite files that only its worker may
// write (DIR/spaces/NAME/), and the SHA-256 of its admin token, kept where no worker can see it
// (DIR/control/spaces/NAME.key). Changes are seen at once: spaces made, deleted or given a new
// key from the command line count from the next request. CheckToken keeps what it read of a key
// file in a small bounded cache (at most kKeyCacheEntries spaces, so 10,000 idle spaces cost the
// front door nothing) with the file's identity, and stats the file at every call: a new or
// rewritten file (a new inode, size, or change time) is read again, a deleted one refuses. A
// file changed in the last two seconds is read at every call (file times tick coarsely).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace almanac::cloud {

// The layout of a data directory.
struct DataDir {
  std::string root;
  std::string SpacesDir() const { return root + "/spaces"; }
  std::string SpaceDir(std::string_view name) const;
  static constexpr std::string_view kKeysSubdir = "/control/spaces";
  std::string KeysDir() const { return root + std::string(kKeysSubdir); }
  std::string KeyFile(std::string_view name) const;
  // The space's policy (cloud/space_policy.h): written here, read-only to its worker.
  std::string PolicyDir(std::string_view name) const;
  std::string RunDir() const { return root + "/run"; }
  // The control plane's store (control/store.h): accounts, members, tokens, the audit log.
  std::string ControlDb() const { return root + "/control.db"; }
  std::string LogsDir() const { return root + "/logs"; }
};

// Ok when `name` can name a space; otherwise why not, in plain words.
Status ValidateSpaceName(std::string_view name);

class Spaces {
 public:
  // How many spaces' admin keys CheckToken keeps in memory (past it, one is dropped).
  static constexpr size_t kKeyCacheEntries = 1024;

  explicit Spaces(DataDir dir);
  ~Spaces();
  Spaces(const Spaces&) = delete;
  Spaces& operator=(const Spaces&) = delete;

  // Creates DIR and its folders when missing (mode 0700 for the private ones).
  Status Prepare() const;
  // Makes a space with an empty database data.db; returns its new admin token.
  Result<std::string> Create(std::string_view name) const;
  Status Delete(std::string_view name) const;
  // Renames a space's directory, policy, log and admin-token files (its worker must be
  // stopped). The token file goes last: until then the old name still exists, the new not.
  Status Rename(std::string_view from, std::string_view to) const;
  std::vector<std::string> List() const;
  bool Exists(std::string_view name) const;
  // True when `token` is the admin token of space `name` (compared in constant time). One stat
  // of the key file per call; the file is read (and the token hashed) only when it changed or
  // a different token is given.
  bool CheckToken(std::string_view name, std::string_view token) const;

  // Makes the space's policy directory when missing (spaces made before it existed).
  Status PreparePolicyDir(std::string_view name) const;

  const DataDir& dir() const { return dir_; }

 private:
  struct KeyCache;
  DataDir dir_;
  std::unique_ptr<KeyCache> keys_;
};

}  // namespace almanac::cloud
