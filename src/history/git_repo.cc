#include "history/git_repo.h"

#include <cstring>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <git2.h>

namespace almanac::history {
namespace {

// libgit2 once per process, with bounded memory: pack windows and the object cache are
// capped so a long history stays well inside the importer's memory budget. Object hashes are
// not re-verified on every read (git itself checks them in `git fsck`, not on read).
void InitLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, static_cast<size_t>(8) << 20);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, static_cast<size_t>(32) << 20);
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(4) << 20);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  });
}

std::string LastError(std::string_view what) {
  const git_error* e = git_error_last();
  std::string message(what);
  if (e != nullptr && e->message != nullptr) message += std::string(": ") + e->message;
  return message;
}

std::string HexOf(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

struct OidHash {
  size_t operator()(const git_oid& oid) const {
    size_t h;
    std::memcpy(&h, oid.id, sizeof h);
    return h;
  }
};
struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};

template <typename T, void (*Free)(T*)>
struct Owned {
  T* ptr = nullptr;
  ~Owned() { Free(ptr); }
};
using OwnedCommit = Owned<git_commit, git_commit_free>;
using OwnedTree = Owned<git_tree, git_tree_free>;
using OwnedEntry = Owned<git_tree_entry, git_tree_entry_free>;

// What a commit's tree holds at the path: nothing, or a blob (or tree) id and mode.
struct PathEntry {
  bool exists = false;
  git_oid oid{};
  uint32_t mode = 0;
  bool operator==(const PathEntry& o) const {
    return exists == o.exists && (!exists || (mode == o.mode && git_oid_equal(&oid, &o.oid)));
  }
};

}  // namespace

std::string ObjectId::Hex() const {
  git_oid oid;
  std::memcpy(oid.id, bytes.data(), bytes.size());
  return HexOf(oid);
}

struct GitRepo::Impl {
  git_repository* repo = nullptr;
  ~Impl() { git_repository_free(repo); }

  Result<git_oid> ParseHash(std::string_view hash) const {
    git_oid oid;
    if (hash.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, hash.data(), hash.size()) != 0) {
      return InvalidArgument("Not a commit hash: " + std::string(hash));
    }
    return oid;
  }

  Result<PathEntry> EntryAt(const git_commit* commit, const char* path) const {
    OwnedTree tree;
    if (git_commit_tree(&tree.ptr, commit) != 0) return Internal(LastError("Cannot read tree"));
    OwnedEntry entry;
    int rc = git_tree_entry_bypath(&entry.ptr, tree.ptr, path);
    if (rc == GIT_ENOTFOUND) return PathEntry{};
    if (rc != 0) return Internal(LastError("Cannot read tree"));
    PathEntry found;
    found.exists = true;
    found.oid = *git_tree_entry_id(entry.ptr);
    found.mode = static_cast<uint32_t>(git_tree_entry_filemode(entry.ptr));
    return found;
  }
};

GitRepo::GitRepo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GitRepo::~GitRepo() = default;

Result<std::unique_ptr<GitRepo>> GitRepo::Open(const std::string& dir) {
  InitLibgit2();
  auto impl = std::make_unique<Impl>();
  if (git_repository_open_ext(&impl->repo, dir.c_str(), 0, nullptr) != 0) {
    return NotFound(LastError("No git repository at " + dir));
  }
  return std::unique_ptr<GitRepo>(new GitRepo(std::move(impl)));
}

std::string GitRepo::workdir() const {
  const char* dir = git_repository_workdir(impl_->repo);
  return dir == nullptr ? "" : dir;
}

Result<std::string> GitRepo::ResolveCommit(std::string_view revision) const {
  std::string spec(revision);
  git_object* object = nullptr;
  if (git_revparse_single(&object, impl_->repo, spec.c_str()) != 0) {
    return NotFound(LastError("Unknown revision " + spec));
  }
  git_object* commit = nullptr;
  int rc = git_object_peel(&commit, object, GIT_OBJECT_COMMIT);
  git_object_free(object);
  if (rc != 0) return NotFound(LastError(spec + " is not a commit"));
  std::string hex = HexOf(*git_object_id(commit));
  git_object_free(commit);
  return hex;
}

bool GitRepo::HasCommit(std::string_view hash) const {
  Result<git_oid> oid = impl_->ParseHash(hash);
  if (!oid.ok()) return false;
  OwnedCommit commit;
  return git_commit_lookup(&commit.ptr, impl_->repo, &*oid) == 0;
}

Result<bool> GitRepo::IsAncestor(std::string_view ancestor, std::string_view descendant) const {
  ALM_ASSIGN_OR_RETURN(git_oid a, impl_->ParseHash(ancestor));
  ALM_ASSIGN_OR_RETURN(git_oid d, impl_->ParseHash(descendant));
  if (git_oid_equal(&a, &d)) return true;
  int rc = git_graph_descendant_of(impl_->repo, &d, &a);
  if (rc < 0) return Internal(LastError("Cannot compare commits"));
  return rc == 1;
}

Result<std::vector<FileVersion>> GitRepo::FileHistory(
    std::string_view tip, std::string_view path,
    const std::function<bool(std::string_view)>& stop_at) const {
  ALM_ASSIGN_OR_RETURN(git_oid start, impl_->ParseHash(tip));
  const std::string path_z(path);
  std::unordered_map<git_oid, PathEntry, OidHash, OidEqual> entries;
  auto entry_of = [&](const git_commit* c) -> Result<PathEntry> {
    auto it = entries.find(*git_commit_id(c));
    if (it != entries.end()) return it->second;
    ALM_ASSIGN_OR_RETURN(PathEntry e, impl_->EntryAt(c, path_z.c_str()));
    entries.emplace(*git_commit_id(c), e);
    return e;
  };

  // git's date-ordered list: newest committer date first, first-in first-out among equals.
  struct Pending {
    int64_t time;
    uint64_t seq;
    git_oid oid;
    bool operator<(const Pending& o) const { return time != o.time ? time < o.time : seq > o.seq; }
  };
  std::priority_queue<Pending> queue;
  std::unordered_set<git_oid, OidHash, OidEqual> seen;
  uint64_t seq = 0;
  auto enqueue = [&](const git_commit* c) {
    if (seen.insert(*git_commit_id(c)).second) {
      queue.push({git_commit_time(c), seq++, *git_commit_id(c)});
    }
  };
  {
    OwnedCommit c;
    if (git_commit_lookup(&c.ptr, impl_->repo, &start) != 0) {
      return NotFound(LastError("Unknown commit " + std::string(tip)));
    }
    enqueue(c.ptr);
  }

  std::vector<FileVersion> newest_first;
  while (!queue.empty()) {
    Pending next = queue.top();
    queue.pop();
    std::string hex = HexOf(next.oid);
    if (stop_at && stop_at(hex)) continue;
    OwnedCommit c;
    if (git_commit_lookup(&c.ptr, impl_->repo, &next.oid) != 0) {
      return Internal(LastError("Cannot read commit " + hex));
    }
    ALM_ASSIGN_OR_RETURN(PathEntry here, entry_of(c.ptr));
    unsigned parents = git_commit_parentcount(c.ptr);
    bool same_as_parent = parents == 0 && !here.exists;
    std::vector<OwnedCommit> loaded(parents);
    for (unsigned i = 0; i < parents && !same_as_parent; ++i) {
      if (git_commit_parent(&loaded[i].ptr, c.ptr, i) != 0) {
        return Internal(LastError("Cannot read the parent of commit " + hex));
      }
      ALM_ASSIGN_OR_RETURN(PathEntry there, entry_of(loaded[i].ptr));
      if (there == here) {
        same_as_parent = true;  // follow this parent alone (history simplification)
        enqueue(loaded[i].ptr);
      }
    }
    if (!same_as_parent) {
      for (OwnedCommit& p : loaded) enqueue(p.ptr);
      FileVersion v;
      v.commit = std::move(hex);
      v.time = git_commit_time(c.ptr);
      v.offset_minutes = git_commit_time_offset(c.ptr);
      if (here.exists && here.mode != GIT_FILEMODE_TREE && here.mode != GIT_FILEMODE_COMMIT) {
        ObjectId id;
        std::memcpy(id.bytes.data(), here.oid.id, id.bytes.size());
        v.blob = id;
      }
      newest_first.push_back(std::move(v));
    }
    entries.erase(next.oid);
  }
  return std::vector<FileVersion>(newest_first.rbegin(), newest_first.rend());
}

Result<std::optional<ObjectId>> GitRepo::BlobAt(std::string_view commit,
                                                std::string_view path) const {
  ALM_ASSIGN_OR_RETURN(git_oid oid, impl_->ParseHash(commit));
  OwnedCommit c;
  if (git_commit_lookup(&c.ptr, impl_->repo, &oid) != 0) {
    return NotFound(LastError("Unknown commit " + std::string(commit)));
  }
  ALM_ASSIGN_OR_RETURN(PathEntry entry, impl_->EntryAt(c.ptr, std::string(path).c_str()));
  if (!entry.exists || entry.mode == GIT_FILEMODE_TREE || entry.mode == GIT_FILEMODE_COMMIT) {
    return std::optional<ObjectId>();
  }
  ObjectId id;
  std::memcpy(id.bytes.data(), entry.oid.id, id.bytes.size());
  return std::optional<ObjectId>(id);
}

Status GitRepo::ReadBlob(const ObjectId& blob, std::string& out) const {
  git_oid oid;
  std::memcpy(oid.id, blob.bytes.data(), blob.bytes.size());
  git_blob* b = nullptr;
  if (git_blob_lookup(&b, impl_->repo, &oid) != 0) {
    return Internal(LastError("Cannot read blob " + HexOf(oid)));
  }
  out.assign(static_cast<const char*>(git_blob_rawcontent(b)),
             static_cast<size_t>(git_blob_rawsize(b)));
  git_blob_free(b);
  return Status::Ok();
}

}  // namespace almanac::history
