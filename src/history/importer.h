// ImportFileHistory: `almanac git-history file` — every version of one file in a git branch
// becomes rows in git-history's tables (store.h). Re-running imports only commits not seen
// before; a branch whose history was rewritten (a force-push) is refused with an explanation.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "history/versions.h"

namespace almanac::history {

struct ImportOptions {
  std::string database;
  std::string file;  // a path in the working tree, or relative to the repository
  std::string repo = ".";
  std::string branch;       // "" = main, or the checked-out branch when there is no main
  std::string ns = "item";  // --namespace
  std::vector<std::string> ids, ignore, skip;
  std::string start_at, start_after;
  bool full_versions = false;
  bool ignore_duplicate_ids = false;
  bool skip_invalid = false;     // skip unreadable versions and items without ids, warning
  bool allow_rewritten = false;  // import new commits even though the history was rewritten
  bool wal = false;
  ParseOptions parse;
};

struct ImportStats {
  int64_t commits = 0;        // commits imported (rows added to `commits`)
  int64_t versions_read = 0;  // file versions read from git and parsed
  int64_t bytes_read = 0;     // their size
  int64_t skipped_versions = 0;
  int64_t rows = 0;  // without --id: item rows written
  int64_t new_items = 0, item_versions = 0, removed = 0, restored = 0, skipped_items = 0;
};

// Hooks for the command line: progress (commits done of total) and warnings.
struct ImportObserver {
  std::function<void(int64_t done, int64_t total)> progress;
  std::function<void(const std::string& warning)> warn;
};

Result<ImportStats> ImportFileHistory(const ImportOptions& options, const ImportObserver& observer);

// Python's datetime.isoformat() of a commit time in its committer's offset:
// 2021-01-01T10:00:00+05:30.
std::string IsoCommitTime(int64_t time, int offset_minutes);

}  // namespace almanac::history
