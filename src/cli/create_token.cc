#include "cli/create_token.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "auth/action.h"
#include "auth/signer.h"
#include "auth/token.h"
#include "cli/cli_util.h"
#include "format/json_writer.h"

namespace almanac::cli {
namespace {

struct CreateTokenFlags {
  std::string id;
  std::string secret;
  std::optional<int64_t> expires_after;
  std::vector<std::string> all;
  std::vector<std::string> databases;  // DB ACTION pairs, flattened
  std::vector<std::string> resources;  // DB RESOURCE ACTION triples, flattened
  bool debug = false;
};

CreateTokenFlags flags;

bool Known(const std::string& action) {
  std::optional<auth::Action> a = auth::ActionByName(action);
  return a && auth::Info(*a).name == action;
}

}  // namespace

CLI::App* AddCreateTokenCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("create-token", "Create a signed API token for an actor ID");
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("id", flags.id, "The actor ID the token acts as")->required();
  cmd->add_option("--secret", flags.secret,
                  "Secret used for signing the API tokens (default: $ALMANAC_SECRET, else "
                  "$DATASETTE_SECRET)");
  cmd->add_option("-e,--expires-after", flags.expires_after,
                  "Token should expire after this many seconds");
  cmd->add_option("-a,--all", flags.all, "Restrict token to this action (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-d,--database", flags.databases,
                  "Restrict token to this action on this database: DB ACTION (repeatable)")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("-r,--resource", flags.resources,
                  "Restrict token to this action on this database resource (a table, SQL view "
                  "or named query): DB RESOURCE ACTION (repeatable)")
      ->expected(3)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_flag("--debug", flags.debug, "Show decoded token");
  return cmd;
}

std::string SecretFromEnvironment() {
  for (const char* name : {"ALMANAC_SECRET", "DATASETTE_SECRET"}) {
    const char* value = std::getenv(name);
    if (value && *value) return value;
  }
  return "";
}

int RunCreateToken() {
  if (flags.secret.empty()) flags.secret = SecretFromEnvironment();
  if (flags.secret.empty()) {
    return Fail(
        "no secret to sign the token with: pass --secret SECRET or set ALMANAC_SECRET (or "
        "DATASETTE_SECRET), the same secret `almanac serve` runs with");
  }
  std::vector<std::string> actions = flags.all;
  for (size_t i = 1; i < flags.databases.size(); i += 2) actions.push_back(flags.databases[i]);
  for (size_t i = 2; i < flags.resources.size(); i += 3) actions.push_back(flags.resources[i]);
  for (const std::string& action : actions) {
    if (!Known(action)) std::fprintf(stderr, "  Unknown permission: %s \n", action.c_str());
  }
  auth::TokenSpec spec{flags.id, static_cast<int64_t>(std::time(nullptr)), flags.expires_after, {}};
  for (const std::string& action : flags.all) spec.restrictions.AllowAll(action);
  for (size_t i = 0; i + 1 < flags.databases.size(); i += 2) {
    spec.restrictions.AllowDatabase(flags.databases[i], flags.databases[i + 1]);
  }
  for (size_t i = 0; i + 2 < flags.resources.size(); i += 3) {
    spec.restrictions.AllowResource(flags.resources[i], flags.resources[i + 1],
                                    flags.resources[i + 2]);
  }
  std::string token = auth::CreateToken(flags.secret, spec);
  std::printf("%s\n", token.c_str());
  if (flags.debug) {
    Result<format::JsonValue> decoded =
        auth::Signer(flags.secret, "token")
            .Loads(std::string_view(token).substr(auth::kTokenPrefix.size()));
    if (decoded.ok()) {
      std::string pretty = PrettyJson(*decoded);
      std::printf("\nDecoded:\n\n%s\n", pretty.c_str());
    }
  }
  return 0;
}

}  // namespace almanac::cli
