// instances, alias add/list/remove, default instance/database, auth add/list/remove.
#include <cstdio>
#include <iostream>

#include <termios.h>
#include <unistd.h>

#include "client/commands.h"
#include "client/python_text.h"
#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;

std::string StripSlashes(std::string s) {
  while (s.ends_with('/')) s.pop_back();
  return s;
}

Status PrintInstances(bool json, ConfigStore& config, Io io) {
  if (json) {
    std::fprintf(io.out, "%s\n", PyJsonDumps(config.MergedJson(), 2).c_str());
    return Status::Ok();
  }
  std::optional<std::string> default_instance = config.DefaultInstance();
  for (const InstanceEntry& e : config.Instances()) {
    std::string db = e.default_database ? " (db: " + *e.default_database + ")" : "";
    std::fprintf(io.out, "%s%s = %s%s\n", e.name == default_instance ? "* " : "  ", e.name.c_str(),
                 e.url.c_str(), db.c_str());
  }
  return Status::Ok();
}

// dclient's _resolve_instance_key: an alias, or the alias whose URL this is.
Result<std::string> InstanceKey(const std::string& alias_or_url, const ConfigStore& config) {
  if (config.FindInstance(alias_or_url)) return alias_or_url;
  if (IsHttpUrl(alias_or_url)) {
    if (auto alias = config.AliasForUrl(alias_or_url)) return *alias;
    return NotFound("No such instance URL: " + alias_or_url);
  }
  return NotFound("No such alias: " + alias_or_url);
}

// Our config's entry for `key`, copied from dclient's config the first time it changes.
JsonValue& OwnInstance(const std::string& key, ConfigStore& config) {
  JsonValue& ours = config.mutable_config();
  if (!ours.Find("instances") || !ours.Find("instances")->is_object())
    ours.Set("instances", JsonValue::MakeObject());
  JsonValue* instances = nullptr;
  for (auto& [name, value] : ours.as_object()) {
    if (name == "instances") instances = &value;
  }
  if (!instances->Find(key)) {
    std::optional<InstanceEntry> entry = config.FindInstance(key);
    JsonValue copy = JsonValue::MakeObject();
    copy.Set("url", JsonValue::String(entry ? entry->url : key));
    copy.Set("default_database", entry && entry->default_database
                                     ? JsonValue::String(*entry->default_database)
                                     : JsonValue());
    instances->Set(key, std::move(copy));
  }
  for (auto& [name, value] : instances->as_object()) {
    if (name == key) return value;
  }
  return *instances;  // not reached
}

Result<std::string> ReadToken(Io io) {
  std::string token;
  if (::isatty(0)) {
    std::fprintf(io.err, "Token: ");
    std::fflush(io.err);
    termios old{};
    bool restore = ::tcgetattr(0, &old) == 0;
    if (restore) {
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(0, TCSAFLUSH, &quiet);
    }
    std::getline(std::cin, token);
    if (restore) ::tcsetattr(0, TCSAFLUSH, &old);
    std::fprintf(io.err, "\n");
  } else {
    std::getline(std::cin, token);
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return InvalidArgument("No token given");
  return token;
}

}  // namespace

Status RunInstances(bool json, ConfigStore& config, Io io) {
  return PrintInstances(json, config, io);
}

Status RunAliasList(bool json, ConfigStore& config, Io io) {
  return PrintInstances(json, config, io);
}

Status RunAliasAdd(const std::string& name, const std::string& url, ConfigStore& config) {
  JsonValue& entry = OwnInstance(name, config);
  entry.Set("url", JsonValue::String(url));
  entry.Set("default_database", JsonValue());
  return config.SaveConfig();
}

Status RunAliasRemove(const std::string& name, ConfigStore& config) {
  JsonValue& ours = config.mutable_config();
  for (auto& [key, instances] : ours.as_object()) {
    if (key != "instances" || !instances.is_object()) continue;
    auto& members = instances.as_object();
    for (auto it = members.begin(); it != members.end(); ++it) {
      if (it->first != name) continue;
      members.erase(it);
      const JsonValue* d = ours.Find("default_instance");
      if (d && d->is_string() && d->as_string() == name) ours.Set("default_instance", JsonValue());
      return config.SaveConfig();
    }
  }
  if (config.FindInstance(name)) {
    return InvalidArgument("Alias " + name + " is in dclient's config (" +
                           config.paths().dclient_dir + "/config.json); remove it with dclient");
  }
  return NotFound("No such alias");
}

Status RunDefaultInstance(const std::optional<std::string>& alias_or_url, bool clear,
                          ConfigStore& config, Io io) {
  if (clear) {
    config.mutable_config().Set("default_instance", JsonValue());
    return config.SaveConfig();
  }
  if (alias_or_url) {
    std::string key;
    if (IsHttpUrl(*alias_or_url)) {
      Result<std::string> found = InstanceKey(*alias_or_url, config);
      key = found.ok() ? *found : StripSlashes(*alias_or_url);
    } else {
      ALM_ASSIGN_OR_RETURN(key, InstanceKey(*alias_or_url, config));
    }
    config.mutable_config().Set("default_instance", JsonValue::String(key));
    return config.SaveConfig();
  }
  std::optional<std::string> current = config.DefaultInstance();
  std::fprintf(io.out, "%s\n", current ? current->c_str() : "No default instance set");
  return Status::Ok();
}

Status RunDefaultDatabase(const std::string& alias_or_url, const std::optional<std::string>& db,
                          bool clear, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(std::string key, InstanceKey(alias_or_url, config));
  if (clear || db) {
    OwnInstance(key, config).Set("default_database", clear ? JsonValue() : JsonValue::String(*db));
    return config.SaveConfig();
  }
  std::optional<InstanceEntry> entry = config.FindInstance(key);
  if (entry && entry->default_database && !entry->default_database->empty()) {
    std::fprintf(io.out, "%s\n", entry->default_database->c_str());
  } else {
    std::fprintf(io.out, "No default database set for %s\n", key.c_str());
  }
  return Status::Ok();
}

Status RunAuthAdd(const std::string& alias_or_url, std::optional<std::string> token,
                  ConfigStore& config, Io io) {
  ALM_RETURN_IF_ERROR(config.LoadAuths());
  if (!token) {
    ALM_ASSIGN_OR_RETURN(token, ReadToken(io));
  }
  config.mutable_auths().Set(alias_or_url, JsonValue::String(*token));
  return config.SaveAuths();
}

Status RunAuthList(ConfigStore& config, Io io) {
  ALM_RETURN_IF_ERROR(config.LoadAuths());
  auto print = [&](const JsonValue& auths) {
    if (!auths.as_object().empty()) std::fprintf(io.out, "\n");
    for (const auto& [key, token] : auths.as_object()) {
      std::string shown = token.is_string() ? token.as_string().substr(0, 1) : "";
      std::fprintf(io.out, "%s:\t%s..\n", key.c_str(), shown.c_str());
    }
  };
  std::fprintf(io.out, "Tokens file: %s\n", config.auth_file().c_str());
  print(config.auths());
  if (!config.dclient_auths().as_object().empty()) {
    std::fprintf(io.out, "\ndclient's tokens file (read only): %s\n",
                 config.dclient_auth_file().c_str());
    print(config.dclient_auths());
  }
  return Status::Ok();
}

Status RunAuthRemove(const std::string& alias_or_url, ConfigStore& config) {
  ALM_RETURN_IF_ERROR(config.LoadAuths());
  auto& members = config.mutable_auths().as_object();
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->first != alias_or_url) continue;
    members.erase(it);
    return config.SaveAuths();
  }
  if (config.dclient_auths().Find(alias_or_url)) {
    return InvalidArgument("The token for " + alias_or_url + " is in dclient's tokens file (" +
                           config.dclient_auth_file() + "); remove it with dclient");
  }
  return NotFound("No such URL or alias");
}

}  // namespace almanac::client
