// GitRepo: the read-only view of a git repository that importing one file's history needs.
// libgit2 is used in git_repo.cc and nowhere else; commits and blobs cross this header as
// 40-digit hex hashes and 20-byte ids.
//
//   ALM_ASSIGN_OR_RETURN(auto repo, history::GitRepo::Open("scrape"));
//   ALM_ASSIGN_OR_RETURN(std::string tip, repo->ResolveCommit("main"));
//   ALM_ASSIGN_OR_RETURN(auto versions, repo->FileHistory(tip, "data/items.json", {}));
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace almanac::history {

// A git object id (SHA-1).
struct ObjectId {
  std::array<unsigned char, 20> bytes{};
  std::string Hex() const;
  bool operator==(const ObjectId&) const = default;
};

// One commit in a file's history.
struct FileVersion {
  std::string commit;            // 40-digit hex hash
  int64_t time = 0;              // committer time, seconds since the epoch
  int offset_minutes = 0;        // the committer's UTC offset (+05:30 is 330)
  std::optional<ObjectId> blob;  // the file's content; nullopt when the commit deleted it
};

class GitRepo {
 public:
  // Opens the repository at `dir` (a working tree, any folder inside one, or a bare
  // repository). NotFound when there is none.
  static Result<std::unique_ptr<GitRepo>> Open(const std::string& dir);
  ~GitRepo();
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  // The working tree's absolute path with a trailing "/", or "" for a bare repository.
  std::string workdir() const;

  // The commit a revision names (branch, tag, remote branch, hash or abbreviated hash),
  // as `git rev-parse REV^{commit}` finds it. NotFound when nothing matches.
  Result<std::string> ResolveCommit(std::string_view revision) const;
  // True when the commit exists in the object database.
  bool HasCommit(std::string_view hash) const;
  // True when `ancestor` is `descendant` or one of its ancestors.
  Result<bool> IsAncestor(std::string_view ancestor, std::string_view descendant) const;

  // The commits that changed `path`, oldest first, as `git rev-list TIP -- PATH` lists them
  // (newest first, by committer date; merges that left the file as one of their parents had
  // it follow that parent alone). The walk does not go past a commit for which `stop_at`
  // returns true, and leaves such commits out.
  Result<std::vector<FileVersion>> FileHistory(
      std::string_view tip, std::string_view path,
      const std::function<bool(std::string_view hash)>& stop_at) const;

  // The blob `path` names in `commit`'s tree; nullopt when the commit has no such file.
  Result<std::optional<ObjectId>> BlobAt(std::string_view commit, std::string_view path) const;

  // The bytes of a blob, into `out` (replacing its contents).
  Status ReadBlob(const ObjectId& blob, std::string& out) const;

 private:
  struct Impl;
  explicit GitRepo(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace almanac::history
