// Which instance, database and token a command uses, by dclient's rules plus Almanac's
// environment variables:
//   instance  -i URL_OR_ALIAS > default instance > $ALMANAC_URL > $DATASETTE_URL
//   database  -d DB > the instance's default_database > $ALMANAC_DATABASE > $DATASETTE_DATABASE
//   token     --token > stored for the instance's alias > stored for the longest matching URL
//             prefix (ours, then dclient's) > $ALMANAC_TOKEN > $DATASETTE_TOKEN
// The token is bound to the instance's origin: HttpClient never sends it anywhere else.
#pragma once

#include <optional>
#include <string>

#include "client/config_store.h"
#include "core/result.h"

namespace almanac::client {

struct Target {
  std::string url;    // the instance URL
  std::string alias;  // the alias naming it, if any (for default_database)
  std::string token;  // may be empty
};

struct TargetFlags {
  std::optional<std::string> instance;  // -i
  std::optional<std::string> database;  // -d
  std::optional<std::string> token;     // --token
};

Result<std::string> ResolveInstanceUrl(const std::optional<std::string>& instance,
                                       const ConfigStore& config);

// The alias whose default_database applies (dclient: the -i alias, or the alias of the
// default instance's URL; none when -i is a URL).
std::optional<std::string> InstanceAlias(const std::optional<std::string>& instance,
                                         const std::string& url, const ConfigStore& config);

Result<std::string> ResolveDatabase(const std::optional<std::string>& database,
                                    const std::optional<std::string>& alias,
                                    const ConfigStore& config);

// Loads the stored tokens when needed.
Result<std::string> ResolveToken(const std::optional<std::string>& token, const std::string& url,
                                 ConfigStore& config);

// Instance and token together.
Result<Target> ResolveTarget(const TargetFlags& flags, ConfigStore& config);

}  // namespace almanac::client
