// `almanac create-token ACTOR`: mint a signed API token exactly as `datasette create-token`
// does (same flags, same output), with the secret from --secret or $DATASETTE_SECRET.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddCreateTokenCommand(CLI::App& app);
int RunCreateToken();

}  // namespace almanac::cli
