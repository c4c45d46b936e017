// `almanac cloud --data DIR`: the hosting mode (front door + worker supervisor), and
// `almanac cloud create-space|list-spaces|delete-space` to manage spaces from the shell.
// docs/cloud.md explains it.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddCloudCommand(CLI::App& app);
int RunCloud();

}  // namespace almanac::cli
