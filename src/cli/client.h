// `almanac client ...`: dclient 0.5a3's commands, flags and output (see docs/client.md).
// Everything after `client` is parsed here, by its own CLI11 app: usage errors exit 2, a
// failed command prints "Error: ..." and exits 1, as click does.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddClientCommand(CLI::App& app);
int RunClient();

}  // namespace almanac::cli
