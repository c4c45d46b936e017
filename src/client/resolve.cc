#include "client/resolve.h"

#include <cstdlib>

#include "client/url_parts.h"

namespace almanac::client {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
  return v ? v : "";
}

std::string StripSlashes(std::string s) {
  while (s.ends_with('/')) s.pop_back();
  return s;
}

}  // namespace

Result<std::string> ResolveInstanceUrl(const std::optional<std::string>& instance,
                                       const ConfigStore& config) {
  if (instance) {
    if (IsHttpUrl(*instance)) return *instance;
    if (auto entry = config.FindInstance(*instance)) return entry->url;
    return InvalidArgument("Unknown instance: " + *instance + ". Use a URL or configure an alias.");
  }
  if (std::optional<std::string> name = config.DefaultInstance()) {
    if (auto entry = config.FindInstance(*name)) return entry->url;
    if (IsHttpUrl(*name)) return StripSlashes(*name);
  }
  for (const char* var : {"ALMANAC_URL", "DATASETTE_URL"}) {
    if (std::string url = Env(var); !url.empty()) return StripSlashes(url);
  }
  return InvalidArgument(
      "No instance specified. Use -i <url-or-alias>, or configure a default:\n\n"
      "    almanac client alias add <name> <url>\n"
      "    almanac client default instance <name-or-url>\n\n"
      "Or set the ALMANAC_URL (or DATASETTE_URL) environment variable.");
}

std::optional<std::string> InstanceAlias(const std::optional<std::string>& instance,
                                         const std::string& url, const ConfigStore& config) {
  if (instance) {
    if (IsHttpUrl(*instance)) return std::nullopt;
    return *instance;
  }
  return config.AliasForUrl(url);
}

Result<std::string> ResolveDatabase(const std::optional<std::string>& database,
                                    const std::optional<std::string>& alias,
                                    const ConfigStore& config) {
  if (database) return *database;
  if (alias) {
    std::optional<InstanceEntry> entry = config.FindInstance(*alias);
    if (!entry && IsHttpUrl(*alias)) {
      if (auto by_url = config.AliasForUrl(*alias)) entry = config.FindInstance(*by_url);
    }
    if (entry && entry->default_database && !entry->default_database->empty()) {
      return *entry->default_database;
    }
  }
  for (const char* var : {"ALMANAC_DATABASE", "DATASETTE_DATABASE"}) {
    if (std::string db = Env(var); !db.empty()) return db;
  }
  return InvalidArgument(
      "No database specified. Use -d <name>, or configure a default:\n\n"
      "    almanac client default database <alias-or-url> <database>\n\n"
      "Or set the ALMANAC_DATABASE (or DATASETTE_DATABASE) environment variable.");
}

Result<std::string> ResolveToken(const std::optional<std::string>& token, const std::string& url,
                                 ConfigStore& config) {
  if (token) return *token;
  ALM_RETURN_IF_ERROR(config.LoadAuths());
  if (std::optional<std::string> stored = config.StoredToken(url)) return *stored;
  for (const char* var : {"ALMANAC_TOKEN", "DATASETTE_TOKEN"}) {
    if (std::string value = Env(var); !value.empty()) return value;
  }
  return std::string();
}

Result<Target> ResolveTarget(const TargetFlags& flags, ConfigStore& config) {
  Target target;
  ALM_ASSIGN_OR_RETURN(target.url, ResolveInstanceUrl(flags.instance, config));
  target.alias = InstanceAlias(flags.instance, target.url, config).value_or("");
  ALM_ASSIGN_OR_RETURN(target.token, ResolveToken(flags.token, target.url, config));
  return target;
}

}  // namespace almanac::client
