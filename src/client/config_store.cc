#include "client/config_store.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/python_text.h"

namespace almanac::client {
namespace {

using format::JsonValue;

std::string Env(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
  return v ? v : "";
}

JsonValue EmptyConfig() {
  JsonValue config = JsonValue::MakeObject();
  config.Set("default_instance", JsonValue());
  config.Set("instances", JsonValue::MakeObject());
  return config;
}

// The file's JSON object; an empty object when it does not exist.
Result<JsonValue> ReadJsonFile(const std::string& path, bool* exists) {
  std::ifstream in(path, std::ios::binary);
  *exists = static_cast<bool>(in);
  if (!in) return JsonValue::MakeObject();
  std::stringstream text;
  text << in.rdbuf();
  Result<JsonValue> parsed = format::ParseJson(text.str());
  if (!parsed.ok()) return InvalidArgument(path + ": " + parsed.status().message());
  if (!parsed->is_object()) return InvalidArgument(path + ": expected a JSON object");
  return std::move(parsed).value();
}

std::string Mode(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

std::optional<std::string> StringMember(const JsonValue& object, std::string_view key) {
  const JsonValue* v = object.Find(key);
  if (v && v->is_string()) return v->as_string();
  return std::nullopt;
}

void AddInstances(const JsonValue& config, bool from_dclient, std::vector<InstanceEntry>& out) {
  const JsonValue* instances = config.Find("instances");
  if (!instances || !instances->is_object()) return;
  for (const auto& [name, value] : instances->as_object()) {
    bool seen = false;
    for (const InstanceEntry& e : out) seen = seen || e.name == name;
    if (seen || !value.is_object()) continue;
    out.push_back({name, StringMember(value, "url").value_or(""),
                   StringMember(value, "default_database"), from_dclient});
  }
}

std::string StripSlashes(std::string_view s) {
  while (s.ends_with('/')) s.remove_suffix(1);
  return std::string(s);
}

struct UrlSplit {
  std::string scheme, netloc, path;
};

// urllib.parse.urlparse's scheme, netloc and path (no query, no fragment).
UrlSplit SplitUrl(std::string_view url) {
  UrlSplit out;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) {
    out.path = std::string(url.substr(0, url.find_first_of("?#")));
    return out;
  }
  out.scheme = std::string(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  size_t slash = rest.find_first_of("/?#");
  out.netloc = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    out.path = std::string(path.substr(0, path.find_first_of("?#")));
  }
  return out;
}

std::optional<std::string> TokenForUrl(std::string_view url, const JsonValue& tokens) {
  const std::string* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, token] : tokens.as_object()) {
    if (!token.is_string() || !UrlMatchesPrefix(url, prefix)) continue;
    if (!best || prefix.size() > best_length) {
      best = &token.as_string();
      best_length = prefix.size();
    }
  }
  if (best) return *best;
  return std::nullopt;
}

}  // namespace

ConfigPaths DefaultConfigPaths() {
  std::string base = Env("XDG_CONFIG_HOME");
  if (base.empty()) base = Env("HOME") + "/.config";
  ConfigPaths paths;
  paths.dir = base + "/almanac";
  paths.dclient_dir = Env("DCLIENT_CONFIG_DIR");
  if (paths.dclient_dir.empty()) paths.dclient_dir = base + "/io.datasette.dclient";
  return paths;
}

bool UrlMatchesPrefix(std::string_view url, std::string_view prefix) {
  UrlSplit u = SplitUrl(url);
  UrlSplit p = SplitUrl(prefix);
  if (u.scheme != p.scheme || u.netloc != p.netloc) return false;
  if (u.path == p.path) return true;
  if (u.path.ends_with(".json") && p.path + ".json" == u.path) return true;
  std::string prefix_path = p.path;
  if (!prefix_path.ends_with('/')) prefix_path += '/';
  return u.path.starts_with(prefix_path);
}

Result<ConfigStore> ConfigStore::Load(ConfigPaths paths, std::FILE* warnings) {
  ConfigStore store;
  store.paths_ = std::move(paths);
  store.warnings_ = warnings;
  bool exists = false;
  ALM_ASSIGN_OR_RETURN(store.config_, ReadJsonFile(store.config_file(), &exists));
  if (!exists) store.config_ = EmptyConfig();
  if (store.paths_.dclient_dir != store.paths_.dir) {
    ALM_ASSIGN_OR_RETURN(store.dclient_config_,
                         ReadJsonFile(store.paths_.dclient_dir + "/config.json", &exists));
  } else {
    store.dclient_config_ = JsonValue::MakeObject();
  }
  store.auths_ = JsonValue::MakeObject();
  store.dclient_auths_ = JsonValue::MakeObject();
  return store;
}

std::optional<InstanceEntry> ConfigStore::FindInstance(std::string_view name) const {
  for (const InstanceEntry& e : Instances()) {
    if (e.name == name) return e;
  }
  return std::nullopt;
}

std::optional<std::string> ConfigStore::DefaultInstance() const {
  if (auto ours = StringMember(config_, "default_instance"); ours && !ours->empty()) return ours;
  if (auto theirs = StringMember(dclient_config_, "default_instance"); theirs && !theirs->empty())
    return theirs;
  return std::nullopt;
}

std::vector<InstanceEntry> ConfigStore::Instances() const {
  std::vector<InstanceEntry> out;
  AddInstances(config_, false, out);
  AddInstances(dclient_config_, true, out);
  return out;
}

std::optional<std::string> ConfigStore::AliasForUrl(std::string_view url) const {
  std::string wanted = StripSlashes(url);
  for (const InstanceEntry& e : Instances()) {
    if (StripSlashes(e.url) == wanted) return e.name;
  }
  return std::nullopt;
}

JsonValue ConfigStore::MergedJson() const {
  JsonValue out = JsonValue::MakeObject();
  std::optional<std::string> default_instance = DefaultInstance();
  out.Set("default_instance",
          default_instance ? JsonValue::String(*default_instance) : JsonValue());
  JsonValue instances = JsonValue::MakeObject();
  for (const InstanceEntry& e : Instances()) {
    JsonValue entry = JsonValue::MakeObject();
    entry.Set("url", JsonValue::String(e.url));
    entry.Set("default_database",
              e.default_database ? JsonValue::String(*e.default_database) : JsonValue());
    instances.Set(e.name, std::move(entry));
  }
  out.Set("instances", std::move(instances));
  return out;
}

Status ConfigStore::LoadAuths() {
  if (auths_loaded_) return Status::Ok();
  auths_loaded_ = true;
  struct stat st {};
  std::string ours = auth_file();
  if (::stat(ours.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return PermissionDenied("Refusing to read " + ours + ": its mode is " + Mode(st.st_mode) +
                            " and other users could read the tokens; run: chmod 600 " + ours);
  }
  bool exists = false;
  ALM_ASSIGN_OR_RETURN(auths_, ReadJsonFile(ours, &exists));
  if (paths_.dclient_dir == paths_.dir) return Status::Ok();
  std::string theirs = dclient_auth_file();
  ALM_ASSIGN_OR_RETURN(dclient_auths_, ReadJsonFile(theirs, &exists));
  if (exists && ::stat(theirs.c_str(), &st) == 0 && (st.st_mode & 044) != 0 && warnings_) {
    std::fprintf(warnings_,
                 "Warning: dclient's token file %s is readable by other users (mode %s); "
                 "run: chmod 600 %s\n",
                 theirs.c_str(), Mode(st.st_mode).c_str(), theirs.c_str());
  }
  return Status::Ok();
}

std::optional<std::string> ConfigStore::StoredToken(std::string_view url) const {
  std::optional<std::string> alias = AliasForUrl(url);
  for (const JsonValue* tokens : {&auths_, &dclient_auths_}) {
    if (alias) {
      if (auto token = StringMember(*tokens, *alias)) return token;
    }
    if (auto token = TokenForUrl(url, *tokens)) return token;
  }
  return std::nullopt;
}

Status ConfigStore::SaveConfig() const {
  return WritePrivateFile(config_file(), PyJsonDumps(config_, 4));
}

Status ConfigStore::SaveAuths() const {
  return WritePrivateFile(auth_file(), PyJsonDumps(auths_, 4));
}

Status WritePrivateFile(const std::string& path, std::string_view text) {
  std::string dir = path.substr(0, path.rfind('/'));
  for (size_t slash = 1; slash != std::string::npos;) {
    slash = dir.find('/', slash + 1);
    std::string part = dir.substr(0, slash);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return Internal("Could not create " + part + ": " + std::strerror(errno));
    }
  }
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("Could not write " + temp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    done += ok ? static_cast<size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    std::string error = std::strerror(errno);
    ::unlink(temp.c_str());
    return Internal("Could not write " + path + ": " + error);
  }
  return Status::Ok();
}

}  // namespace almanac::client
