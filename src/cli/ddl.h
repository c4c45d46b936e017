// The table commands: create-table, create-index, enable-fts, populate-fts, add-column,
// add-foreign-key (sqlite-utils' arguments and flags), thin over ingest/table_ops.h.
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

namespace almanac::cli {

// Registers the commands; RunDdlCommand runs the one that was parsed (nullopt: none was).
void AddDdlCommands(CLI::App& app);
std::optional<int> RunDdlCommand();

}  // namespace almanac::cli
