// `almanac links rebuild DB` and `almanac links verify DB` (docs/links.md): build the backlinks
// index of a database file from scratch, or recount it and compare (exit 1 on a difference).
// `-c CONFIG` gives the soft links (`databases.<name>.links`, <name> the file's stem).
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddLinksCommand(CLI::App& app);
int RunLinks();

}  // namespace almanac::cli
