// `almanac query DB SQL` (-p name value, output flags) and `almanac rows DB TABLE` (-c, --where,
// -o/--order, --limit, --offset): sqlite-utils' commands and output.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddQueryCommand(CLI::App& app);
CLI::App* AddRowsCommand(CLI::App& app);
int RunQuery();
int RunRows();

}  // namespace almanac::cli
