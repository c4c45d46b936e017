// `almanac git-history file DB FILENAME`: the history of one file in a git repository becomes
// git-history's tables (see docs/git-history.md and src/history/importer.h).
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddGitHistoryCommand(CLI::App& app);
int RunGitHistory();

}  // namespace almanac::cli
