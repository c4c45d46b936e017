// Where `almanac client` keeps instance aliases and tokens, in dclient's file layout:
//   config.json  {"default_instance": ALIAS_OR_URL|null,
//                 "instances": {ALIAS: {"url": URL, "default_database": DB|null}}}
//   auth.json    {ALIAS_OR_URL_PREFIX: TOKEN}
// Ours live in $XDG_CONFIG_HOME/almanac/ (~/.config/almanac/), written atomically with mode
// 0600 in a 0700 directory; an auth.json that other users could read is refused. dclient's
// own files ($DCLIENT_CONFIG_DIR, else $XDG_CONFIG_HOME/io.datasette.dclient/) are read as a
// fallback and never written; a dclient auth.json readable by others is used with a warning.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::client {

struct ConfigPaths {
  std::string dir;          // ours
  std::string dclient_dir;  // dclient's (read only)
};

// From the environment: $XDG_CONFIG_HOME (else $HOME/.config), $DCLIENT_CONFIG_DIR.
ConfigPaths DefaultConfigPaths();

struct InstanceEntry {
  std::string name;
  std::string url;
  std::optional<std::string> default_database;
  bool from_dclient = false;
};

class ConfigStore {
 public:
  // Reads both config.json files (missing files are empty). Warnings go to `warnings`.
  static Result<ConfigStore> Load(ConfigPaths paths, std::FILE* warnings);

  const ConfigPaths& paths() const { return paths_; }
  std::string config_file() const { return paths_.dir + "/config.json"; }
  std::string auth_file() const { return paths_.dir + "/auth.json"; }

  // Ours first, then dclient's.
  std::optional<InstanceEntry> FindInstance(std::string_view name) const;
  std::optional<std::string> DefaultInstance() const;
  std::vector<InstanceEntry> Instances() const;
  // The first alias whose URL (trailing slashes ignored) is `url`.
  std::optional<std::string> AliasForUrl(std::string_view url) const;
  // The merged config as `instances --json` prints it.
  format::JsonValue MergedJson() const;

  // Tokens: loaded on first use (so alias commands work without reading secrets).
  Status LoadAuths();
  // By alias, then by the longest URL prefix (dclient's token_for_url), ours then dclient's.
  std::optional<std::string> StoredToken(std::string_view url) const;
  const format::JsonValue& auths() const { return auths_; }
  const format::JsonValue& dclient_auths() const { return dclient_auths_; }
  std::string dclient_auth_file() const { return paths_.dclient_dir + "/auth.json"; }

  // Mutations write our files only.
  format::JsonValue& mutable_config() { return config_; }
  format::JsonValue& mutable_auths() { return auths_; }
  Status SaveConfig() const;
  Status SaveAuths() const;

 private:
  ConfigPaths paths_;
  std::FILE* warnings_ = nullptr;
  format::JsonValue config_;
  format::JsonValue dclient_config_;
  format::JsonValue auths_;
  format::JsonValue dclient_auths_;
  bool auths_loaded_ = false;
};

// dclient's url_matches_prefix: same scheme and host, and the path equal, under the prefix
// path, or the prefix path plus ".json".
bool UrlMatchesPrefix(std::string_view url, std::string_view prefix);

// Writes `text` to `path` through a temporary file (mode 0600) and rename; makes the
// directory (mode 0700) when missing.
Status WritePrivateFile(const std::string& path, std::string_view text);

}  // namespace almanac::client
