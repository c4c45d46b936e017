// almanac: one binary, a few commands (serve, create-token, ...). `almanac FILE.db` is
// `almanac serve FILE.db`, as `datasette FILE.db` is `datasette serve FILE.db`.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/client.h"
#include "cli/cloud.h"
#include "cli/crash_report.h"
#include "cli/create_token.h"
#include "cli/data_commands.h"
#include "cli/git_history.h"
#include "cli/inspect.h"
#include "cli/links.h"
#include "cli/serve.h"
#include "cloud/pool_worker.h"

int main(int argc, char** argv) {
  almanac::cli::InstallCrashReport();
  auto owned_app = std::make_unique<CLI::App>(
      "Almanac: publish SQLite databases as a website and a Datasette-compatible API", "almanac");
  CLI::App& app = *owned_app;
  app.set_help_flag("--help", "Show this message and exit");
  app.set_version_flag("--version", std::string("almanac ") + ALMANAC_VERSION);
  app.require_subcommand(0, 1);
  CLI::App* serve = almanac::cli::AddServeCommand(app);
  CLI::App* create_token = almanac::cli::AddCreateTokenCommand(app);
  almanac::cli::AddDataCommands(app);
  CLI::App* client = almanac::cli::AddClientCommand(app);
  CLI::App* git_history = almanac::cli::AddGitHistoryCommand(app);
  CLI::App* links = almanac::cli::AddLinksCommand(app);
  CLI::App* cloud = almanac::cli::AddCloudCommand(app);
  CLI::App* inspect = almanac::cli::AddInspectCommand(app);

  // Default to `serve` when the first argument is not a command or a top-level flag.
  std::vector<std::string> args(argv + 1, argv + argc);
  // A pool worker of `almanac cloud`: it waits in its sandbox until it is handed a space, then
  // runs `serve` for it in this same process (cloud/pool_worker.h).
  if (!args.empty() && args[0] == almanac::cloud::kPoolWorkerCommand) {
    almanac::cli::PrewarmServe();
    auto title_size = static_cast<size_t>(argv[argc - 1] + std::strlen(argv[argc - 1]) - argv[0]);
    std::optional<std::vector<std::string>> assigned =
        almanac::cloud::AwaitSpace(argv[0], title_size + 1);
    if (!assigned) return 0;
    args = std::move(*assigned);
  }
  auto is_command = [&app](const std::string& name) {
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == name) return true;
    }
    return false;
  };
  // `almanac help [COMMAND]` is `almanac [COMMAND] --help`.
  if (!args.empty() && args[0] == "help") {
    if (args.size() > 1 && is_command(args[1])) {
      args = {args[1], "--help"};
    } else {
      args = {"--help"};
    }
  }
  if (args.empty() || (args[0] != "--help" && args[0] != "--version" && !is_command(args[0]))) {
    args.insert(args.begin(), "serve");
  }
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2, as click's do
  }
  if (serve->parsed()) {
    // The parsed flags live in serve.cc: the command tree (~200 KB) is freed before serving.
    owned_app.reset();
    return almanac::cli::RunServe();
  }
  if (create_token->parsed()) return almanac::cli::RunCreateToken();
  if (std::optional<int> code = almanac::cli::RunDataCommand()) return *code;
  if (client->parsed()) return almanac::cli::RunClient();
  if (git_history->parsed()) return almanac::cli::RunGitHistory();
  if (links->parsed()) return almanac::cli::RunLinks();
  if (cloud->parsed()) return almanac::cli::RunCloud();
  if (inspect->parsed()) return almanac::cli::RunInspect();
  std::printf("%s", app.help().c_str());
  return 0;
}
