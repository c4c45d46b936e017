#include "cli/git_history.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "history/importer.h"
#include "history/progress.h"

namespace almanac::cli {
namespace {

struct GitHistoryFlags {
  history::ImportOptions import;
  bool csv = false;
  bool silent = false;
  std::string convert, items, dialect;
};

GitHistoryFlags flags;

void Repeatable(CLI::Option* option) {
  option->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->allow_extra_args(false);
}

// git-history's rules for combining options, and the format they choose.
Status Check(GitHistoryFlags& f) {
  history::ImportOptions& o = f.import;
  if (f.csv && !f.convert.empty()) return InvalidArgument("Cannot use both --csv and --convert");
  if (!f.items.empty() && (f.csv || !f.convert.empty() || !f.dialect.empty())) {
    return InvalidArgument("--items applies to JSON: not with --csv, --dialect or --convert");
  }
  if (!o.start_at.empty() && !o.start_after.empty()) {
    return InvalidArgument("Cannot use --start-at and --start-after at the same time");
  }
  o.parse.items_pointer = f.items;
  o.parse.dialect = f.dialect;
  o.parse.convert_sql = f.convert;
  if (f.csv || !f.dialect.empty()) {
    o.parse.format = history::InputFormat::kCsv;
  } else if (!f.convert.empty()) {
    if (!f.dialect.empty()) return InvalidArgument("Cannot use both --dialect and --convert");
    o.parse.format = history::InputFormat::kSql;
  }
  return Status::Ok();
}

void PrintSummary(const history::ImportStats& s, double seconds) {
  std::string line = "Imported " + history::WithCommas(s.commits) + " commits";
  if (s.rows > 0) line += ", " + history::WithCommas(s.rows) + " rows";
  if (s.new_items + s.item_versions > 0) {
    line += ", " + history::WithCommas(s.new_items) + " new items, " +
            history::WithCommas(s.item_versions) + " item versions";
  }
  if (s.removed > 0) line += ", " + history::WithCommas(s.removed) + " removals";
  char timing[64];
  std::snprintf(timing, sizeof timing, " in %.2f s", seconds);
  std::fprintf(stderr, "%s%s\n", line.c_str(), timing);
}

}  // namespace

CLI::App* AddGitHistoryCommand(CLI::App& app) {
  CLI::App* group = app.add_subcommand("git-history", "Analyze the Git history of a file");
  group->set_help_flag("--help", "Show this message and exit");
  group->require_subcommand(1);
  CLI::App* cmd = group->add_subcommand(
      "file", "Analyze the history of a specific file and write it to SQLite");
  cmd->set_help_flag("--help", "Show this message and exit");
  history::ImportOptions& o = flags.import;
  cmd->add_option("database", o.database, "SQLite database file (created when missing)")
      ->required();
  cmd->add_option("filepath", o.file, "The file, in the working tree or relative to the repo")
      ->required();
  cmd->add_option("--repo", o.repo, "Path to Git repo (if not current directory)");
  cmd->add_option("-n,--namespace", o.ns, "Prefix of the table names (default: item)");
  cmd->add_option("--branch", o.branch, "Git branch to use (default: main)");
  Repeatable(cmd->add_option("--id", o.ids, "Columns (can be multiple) to use as an ID"));
  Repeatable(cmd->add_option("--ignore", o.ignore, "Columns to ignore (repeatable)"));
  cmd->add_option("--start-at", o.start_at, "Skip commits prior to this one");
  cmd->add_option("--start-after", o.start_after,
                  "Skip commits up to this one, then start at the next one");
  Repeatable(cmd->add_option("--skip", o.skip, "Skip specific commit hashes (repeatable)"));
  cmd->add_flag("--full-versions", o.full_versions,
                "Record full copies in the item_version table, not just changed columns");
  cmd->add_flag("--csv", flags.csv, "Expect CSV/TSV data, not JSON");
  cmd->add_option("--dialect", flags.dialect, "CSV dialect (default: detect)")
      ->check(CLI::IsMember({"excel", "excel-tab", "unix"}));
  cmd->add_option("--items", flags.items,
                  "JSON pointer to the array of items in each version, e.g. /data/incidents");
  cmd->add_option("--convert", flags.convert,
                  "SQL SELECT over the version's text (:content) returning one row per item");
  cmd->add_flag("--ignore-duplicate-ids", o.ignore_duplicate_ids,
                "Keep the first item when an ID occurs more than once in one version");
  cmd->add_flag("--skip-invalid", o.skip_invalid,
                "Skip versions that cannot be read and items without IDs, with a warning");
  cmd->add_flag("--allow-rewritten", o.allow_rewritten,
                "Import new commits even though the branch history was rewritten");
  cmd->add_flag("--wal", o.wal, "Enable WAL mode on the database file");
  cmd->add_flag("--silent", flags.silent, "Don't show the progress bar or summary");
  return group;
}

int RunGitHistory() {
  Status checked = Check(flags);
  if (!checked.ok()) {
    std::fprintf(stderr, "Error: %s\n", checked.message().c_str());
    return 2;
  }
  history::ProgressBar bar(stderr, "commits");
  constexpr int kMaxWarnings = 50;
  int warnings = 0;
  history::ImportObserver observer;
  if (!flags.silent)
    observer.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
  observer.warn = [&](const std::string& warning) {
    if (++warnings > kMaxWarnings) return;
    bar.Clear();
    std::fprintf(stderr, "Warning: %s\n", warning.c_str());
  };
  auto started = std::chrono::steady_clock::now();
  Result<history::ImportStats> stats = history::ImportFileHistory(flags.import, observer);
  bar.Clear();
  if (warnings > kMaxWarnings) {
    std::fprintf(stderr, "... and %d more warnings\n", warnings - kMaxWarnings);
  }
  if (!stats.ok()) {
    std::fprintf(stderr, "Error: %s\n", stats.status().message().c_str());
    return 1;
  }
  if (!flags.silent && bar.active()) {
    PrintSummary(*stats,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return 0;
}

}  // namespace almanac::cli
