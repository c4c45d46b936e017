// login: the OAuth device flow as dclient runs it (POST /-/oauth/device, then poll
// POST /-/oauth/token), saving the token in our auth.json and setting defaults.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "client/commands.h"
#include "client/http_client.h"
#include "client/python_text.h"
#include "client/remote.h"
#include "client/url_parts.h"
#include "core/url.h"

namespace almanac::client {
namespace {

using format::JsonValue;

const std::vector<std::string> kReadScopes = {"view-instance", "view-table", "view-database",
                                              "view-query", "execute-sql"};
const std::vector<std::string> kWriteScopes = {"insert-row",   "delete-row",  "update-row",
                                               "create-table", "alter-table", "drop-table"};

JsonValue Scope(const std::string& action, const std::string& target) {
  JsonValue scope = JsonValue::MakeArray({JsonValue::String(action)});
  if (target.empty()) return scope;
  size_t slash = target.find('/');
  scope.as_array().push_back(JsonValue::String(target.substr(0, slash)));
  if (slash != std::string::npos)
    scope.as_array().push_back(JsonValue::String(target.substr(slash + 1)));
  return scope;
}

Result<JsonValue> PostForm(HttpClient& http, const std::string& url, const QueryArgs& form) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  request.body = EncodeQueryString(form);
  ALM_ASSIGN_OR_RETURN(HttpResponse response, http.Send(request));
  Result<JsonValue> data = ParseBody(response);
  if (!data.ok() || !data->is_object()) {
    return InvalidArgument(std::to_string(response.status) + " from " + url +
                           " (not a JSON object)");
  }
  data->Set("__status", JsonValue::Int(response.status));
  return data;
}

std::string Str(const JsonValue& data, const char* key) {
  const JsonValue* v = data.Find(key);
  return v ? PyStr(*v) : "None";
}

// dclient's step 5: the instance becomes the default, with a default database, unless
// both are configured already.
Status SetDefaults(const std::string& url, const std::string& auth_key, const std::string& token,
                   ConfigStore& config, Io io) {
  std::optional<std::string> default_alias = config.DefaultInstance();
  std::optional<InstanceEntry> default_entry =
      default_alias ? config.FindInstance(*default_alias) : std::nullopt;
  bool has_db =
      default_entry && default_entry->default_database && !default_entry->default_database->empty();
  if (default_alias && has_db) return Status::Ok();
  std::string key = config.AliasForUrl(url).value_or(auth_key);
  if (!config.FindInstance(key)) {
    ALM_RETURN_IF_ERROR(RunAliasAdd(key, JoinUrl(url, ""), config));
  }
  if (!default_alias) {
    config.mutable_config().Set("default_instance", JsonValue::String(key));
    std::fprintf(io.out, "Set default instance to %s\n", key.c_str());
  }
  if (!has_db) {
    HttpClient http;
    HttpRequest request;
    request.url = JoinUrl(url, "/.json");
    request.bearer_token = token;
    request.token_origin = Origin(url);
    Result<HttpResponse> response = http.Send(request);
    Result<JsonValue> data = response.ok() && response->status == 200
                                 ? ParseBody(*response)
                                 : Result<JsonValue>(InvalidArgument("no databases"));
    std::vector<std::string> names;
    if (data.ok()) {
      const JsonValue* list = data->is_object() ? data->Find("databases") : &*data;
      if (list && list->is_array()) {
        for (const JsonValue& db : list->as_array())
          names.push_back(db.is_object() && db.Find("name") ? PyStr(*db.Find("name")) : PyStr(db));
      } else if (list && list->is_object()) {
        for (const auto& [name, info] : list->as_object()) names.push_back(name);
      }
    }
    if (!names.empty()) {
      std::string db = names[0];
      for (const std::string& n : names) db = n == "data" && names.size() > 1 ? n : db;
      ALM_RETURN_IF_ERROR(RunDefaultDatabase(key, db, false, config, io));
      std::fprintf(io.out, "Set default database to %s\n", db.c_str());
    }
  }
  return config.SaveConfig();
}

}  // namespace

Result<std::string> MergeScopes(const LoginOptions& options) {
  JsonValue scopes = JsonValue::MakeArray();
  if (options.scope) {
    ALM_ASSIGN_OR_RETURN(scopes, format::ParseJson(*options.scope));
    if (!scopes.is_array()) return InvalidArgument("--scope must be a JSON array");
  }
  auto add = [&](const std::vector<std::string>& actions, const std::string& target) {
    for (const std::string& action : actions) scopes.as_array().push_back(Scope(action, target));
  };
  std::vector<std::string> both = kReadScopes;
  both.insert(both.end(), kWriteScopes.begin(), kWriteScopes.end());
  if (options.read_all) add(kReadScopes, "");
  if (options.write_all) add(both, "");
  for (const std::string& t : options.read) add(kReadScopes, t);
  for (const std::string& t : options.write) add(both, t);
  if (scopes.as_array().empty()) return std::string();
  return PyJsonDumps(scopes);
}

Status RunLogin(const LoginOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(std::string scope, MergeScopes(options));
  std::string alias_or_url = options.alias_or_url.value_or("");
  if (alias_or_url.empty()) {
    std::fprintf(io.out,
                 "Enter the URL of your Datasette instance, or an alias you have\n"
                 "already configured with 'almanac client alias add'.\n\n"
                 "Instance URL or alias: ");
    std::fflush(io.out);
    std::getline(std::cin, alias_or_url);
    if (alias_or_url.empty()) return InvalidArgument("No instance given");
  }
  std::string url = alias_or_url;
  if (!IsHttpUrl(url)) {
    ALM_ASSIGN_OR_RETURN(url, ResolveInstanceUrl(alias_or_url, config));
  }
  if (!url.ends_with('/')) url += '/';
  HttpClient http;
  std::string device_url = url + "-/oauth/device";
  QueryArgs form;
  if (!scope.empty()) form.emplace_back("scope", scope);
  Result<JsonValue> device = PostForm(http, device_url, form);
  if (!device.ok() || device->Find("__status")->as_int() != 200) {
    std::string status = device.ok() ? Str(*device, "__status") : device.status().message();
    return InvalidArgument("Failed to start login flow: " + status + " from " + device_url);
  }
  double interval = 5;
  if (const JsonValue* v = device->Find("interval"); v && v->is_number()) interval = v->as_double();
  std::fprintf(io.out,
               "\nOpen this URL in your browser:\n\n    %s\n\nEnter this code: %s\n\n"
               "Waiting for authorization...",
               Str(*device, "verification_uri").c_str(), Str(*device, "user_code").c_str());
  std::fflush(io.out);
  QueryArgs poll = {{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                    {"device_code", Str(*device, "device_code")}};
  std::string token;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::duration<double>(interval));
    std::fprintf(io.out, ".");
    std::fflush(io.out);
    ALM_ASSIGN_OR_RETURN(JsonValue answer, PostForm(http, url + "-/oauth/token", poll));
    if (const JsonValue* t = answer.Find("access_token")) {
      token = PyStr(*t);
      break;
    }
    std::string error = Str(answer, "error");
    if (error == "authorization_pending") continue;
    if (error == "slow_down") {  // RFC 8628: wait 5 s longer from now on
      interval += 5;
      continue;
    }
    std::fprintf(io.out, "\n");
    if (error == "access_denied") return PermissionDenied("Authorization denied.");
    if (error == "expired_token") return Unauthenticated("Device code expired. Run login again.");
    return InvalidArgument("Unexpected error: " + error);
  }
  std::fprintf(io.out, "\n");
  if (options.token_only) {
    std::fprintf(io.out, "%s\n", token.c_str());
    return Status::Ok();
  }
  ALM_RETURN_IF_ERROR(config.LoadAuths());
  config.mutable_auths().Set(alias_or_url, JsonValue::String(token));
  ALM_RETURN_IF_ERROR(config.SaveAuths());
  std::fprintf(io.out, "Login successful. Token saved for %s\n", alias_or_url.c_str());
  return SetDefaults(url, alias_or_url, token, config, io);
}

}  // namespace almanac::client
