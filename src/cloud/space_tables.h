// Whether a space has the database or table an admin is about to make public: `make-public`
// and the front door's public toggles (docs/cloud.md, "Public tables") check the space's own files
// before writing the policy, so that a typo is refused instead of silently publishing nothing.
//
// The file is read from outside the worker (the front door's side), with care for a file a
// tenant controls: the database must be a regular file (not a symlink) named DATABASE.db in
// the space's directory; it is opened read-only, without following symlinks, defensively
// (no trusted schema), and never leaves a file behind: without a WAL file it is opened
// immutable (nothing created, nothing locked); with one (a running worker's recent writes,
// which must be seen), read-only with the WAL, and a shared-memory file this had to make is
// given to the database's owner (the worker's uid) so the worker can still open it.
#pragma once

#include <string>

#include "core/result.h"

namespace almanac::cloud {

// OK when `space_dir`/`database`.db is one of the space's databases (a regular file, not a
// symlink); NotFound naming the space's databases otherwise.
Status CheckDatabaseExists(const std::string& space_dir, const std::string& database);

// OK when `space_dir`/`database`.db has a table or view named exactly `table`; NotFound with
// a message for a person otherwise ("... has no database named ...", "... has no table or
// view named ..."); another error when the file cannot be read as a database.
Status CheckTableExists(const std::string& space_dir, const std::string& database,
                        const std::string& table);

}  // namespace almanac::cloud
