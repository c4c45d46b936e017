// The libgit2 and utf8proc functions git-history calls, loaded when `almanac git-history` first
// needs them instead of at every start of the binary (core/lazy_library.h). Only git_repo.cc
// and items.cc call them.
#include <cstdarg>

#include <git2.h>
#include <utf8proc.h>

#include "core/lazy_library.h"

namespace {
almanac::LazyLibrary git2(ALM_LIBGIT2_SONAME, "almanac git-history");
almanac::LazyLibrary utf8proc(ALM_UTF8PROC_SONAME, "almanac git-history");
}  // namespace

ALM_LAZY_FUNCTION(utf8proc, utf8proc_uint8_t*, utf8proc_NFC, (const utf8proc_uint8_t* str), (str))

ALM_LAZY_FUNCTION(git2, int, git_libgit2_init, (void), ())
ALM_LAZY_FUNCTION(git2, const git_error*, git_error_last, (void), ())
ALM_LAZY_FUNCTION(git2, int, git_repository_open_ext,
                  (git_repository * *out, const char* path, unsigned int flags,
                   const char* ceiling_dirs),
                  (out, path, flags, ceiling_dirs))
ALM_LAZY_FUNCTION(git2, void, git_repository_free, (git_repository * repo), (repo))
ALM_LAZY_FUNCTION(git2, const char*, git_repository_workdir, (const git_repository* repo), (repo))
ALM_LAZY_FUNCTION(git2, int, git_revparse_single,
                  (git_object * *out, git_repository* repo, const char* spec), (out, repo, spec))
ALM_LAZY_FUNCTION(git2, void, git_object_free, (git_object * object), (object))
ALM_LAZY_FUNCTION(git2, const git_oid*, git_object_id, (const git_object* obj), (obj))
ALM_LAZY_FUNCTION(git2, int, git_object_peel,
                  (git_object * *peeled, const git_object* object, git_object_t target_type),
                  (peeled, object, target_type))
ALM_LAZY_FUNCTION(git2, int, git_oid_equal, (const git_oid* a, const git_oid* b), (a, b))
ALM_LAZY_FUNCTION(git2, int, git_oid_fromstrn, (git_oid * out, const char* str, size_t length),
                  (out, str, length))
ALM_LAZY_FUNCTION(git2, char*, git_oid_tostr, (char* out, size_t n, const git_oid* id),
                  (out, n, id))
ALM_LAZY_FUNCTION(git2, int, git_graph_descendant_of,
                  (git_repository * repo, const git_oid* commit, const git_oid* ancestor),
                  (repo, commit, ancestor))
ALM_LAZY_FUNCTION(git2, int, git_commit_lookup,
                  (git_commit * *commit, git_repository* repo, const git_oid* id),
                  (commit, repo, id))
ALM_LAZY_FUNCTION(git2, void, git_commit_free, (git_commit * commit), (commit))
ALM_LAZY_FUNCTION(git2, const git_oid*, git_commit_id, (const git_commit* commit), (commit))
ALM_LAZY_FUNCTION(git2, int, git_commit_parent,
                  (git_commit * *out, const git_commit* commit, unsigned int n), (out, commit, n))
ALM_LAZY_FUNCTION(git2, unsigned int, git_commit_parentcount, (const git_commit* commit), (commit))
ALM_LAZY_FUNCTION(git2, git_time_t, git_commit_time, (const git_commit* commit), (commit))
ALM_LAZY_FUNCTION(git2, int, git_commit_time_offset, (const git_commit* commit), (commit))
ALM_LAZY_FUNCTION(git2, int, git_commit_tree, (git_tree * *tree_out, const git_commit* commit),
                  (tree_out, commit))
ALM_LAZY_FUNCTION(git2, void, git_tree_free, (git_tree * tree), (tree))
ALM_LAZY_FUNCTION(git2, int, git_tree_entry_bypath,
                  (git_tree_entry * *out, const git_tree* root, const char* path),
                  (out, root, path))
ALM_LAZY_FUNCTION(git2, void, git_tree_entry_free, (git_tree_entry * entry), (entry))
ALM_LAZY_FUNCTION(git2, const git_oid*, git_tree_entry_id, (const git_tree_entry* entry), (entry))
ALM_LAZY_FUNCTION(git2, git_filemode_t, git_tree_entry_filemode, (const git_tree_entry* entry),
                  (entry))
ALM_LAZY_FUNCTION(git2, int, git_blob_lookup,
                  (git_blob * *blob, git_repository* repo, const git_oid* id), (blob, repo, id))
ALM_LAZY_FUNCTION(git2, void, git_blob_free, (git_blob * blob), (blob))
ALM_LAZY_FUNCTION(git2, const void*, git_blob_rawcontent, (const git_blob* blob), (blob))
ALM_LAZY_FUNCTION(git2, git_object_size_t, git_blob_rawsize, (const git_blob* blob), (blob))

// git_libgit2_opts takes one argument after each option git_repo.cc sets (a size_t, an ssize_t
// or an int), which travels in one 64-bit register: it is passed on unchanged as a word.
extern "C" int git_libgit2_opts(int option, ...) {
  using Fn = int (*)(int, ...);
  static const Fn fn = reinterpret_cast<Fn>(git2.Symbol("git_libgit2_opts"));
  va_list args;
  va_start(args, option);
  void* value = va_arg(args, void*);
  va_end(args);
  return fn(option, value);
}
