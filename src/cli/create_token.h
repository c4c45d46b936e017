// `almanac create-token ACTOR`: mint a signed API token exactly as `datasette create-token`
// does (same flags, same output), with the secret from --secret, $ALMANAC_SECRET or
// $DATASETTE_SECRET.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddCreateTokenCommand(CLI::App& app);
int RunCreateToken();

// The signing secret from the environment: $ALMANAC_SECRET, else Datasette's $DATASETTE_SECRET,
// else "". `serve` uses it too.
std::string SecretFromEnvironment();

}  // namespace almanac::cli
