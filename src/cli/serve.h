// `almanac serve [FILE ...]`: flags as in `datasette serve`, then run the server until
// SIGINT/SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

// Adds the serve subcommand to `app`; returns it. RunServe runs it once parsed.
CLI::App* AddServeCommand(CLI::App& app);
int RunServe();

}  // namespace almanac::cli
