// `almanac insert DB TABLE FILE` and `almanac upsert DB TABLE FILE --pk COL`: sqlite-utils'
// flags, streamed through ingest::Import with a progress bar on a terminal and a one-line
// summary on stderr.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddInsertCommand(CLI::App& app);
CLI::App* AddUpsertCommand(CLI::App& app);
int RunInsert();
int RunUpsert();

}  // namespace almanac::cli
