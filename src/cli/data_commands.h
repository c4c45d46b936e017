// The sqlite-utils-style data commands (insert, upsert, memory, query, tables, rows, schema,
// create-table, ...), registered together so main.cc needs two lines for all of them.
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

namespace almanac::cli {

void AddDataCommands(CLI::App& app);
// The exit status of the data command that was parsed, or nullopt when none was.
std::optional<int> RunDataCommand();

}  // namespace almanac::cli
