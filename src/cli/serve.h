// `almanac serve [FILE ...]`: flags as in `datasette serve`, then run the server until
// SIGINT/SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

// Adds the serve subcommand to `app`; returns it. RunServe runs it once parsed.
CLI::App* AddServeCommand(CLI::App& app);
int RunServe();
// What a pool worker of `almanac cloud` does before it is handed a space, so that serving it
// starts sooner: OpenSSL's HMAC used once, and a dry run of `serve --get` on a small database
// of its own in /tmp (every thread it starts is joined before it returns, the database
// removed); the built-in assets it makes are kept for the next RunServe.
void PrewarmServe();

}  // namespace almanac::cli
