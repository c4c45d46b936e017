// databases, tables, schema, plugins, actor, get and query.
#include <cstdio>

#include "client/commands.h"
#include "client/python_text.h"
#include "client/remote.h"
#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;

void Print(std::FILE* out, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), out);
  std::fputc('\n', out);
}

std::string Name(const JsonValue& item) {
  if (item.is_object()) {
    const JsonValue* name = item.Find("name");
    return name ? PyStr(*name) : "";
  }
  return PyStr(item);
}

// GET `path` as JSON; any status but 200 is "<status> error[: detail]".
Result<JsonValue> GetJson(Remote& remote, const std::string& path, const QueryArgs& params = {}) {
  ALM_ASSIGN_OR_RETURN(HttpResponse response, remote.Get(path, params));
  if (response.status != 200) return InvalidArgument(StatusError(response));
  return ParseBody(response);
}

// The database named by -d or the defaults, and a Remote for the instance.
struct Scoped {
  Target target;
  std::string database;
};

Result<Scoped> ResolveScoped(const TargetFlags& flags, ConfigStore& config) {
  Scoped scoped;
  ALM_ASSIGN_OR_RETURN(scoped.target, ResolveTarget(flags, config));
  std::optional<std::string> alias = InstanceAlias(flags.instance, scoped.target.url, config);
  ALM_ASSIGN_OR_RETURN(scoped.database, ResolveDatabase(flags.database, alias, config));
  return scoped;
}

// dclient's message for a query that failed: "<status> status code. title: error".
Status QueryError(const HttpResponse& response) {
  if (!format::ParseJson(response.body).ok()) {
    return InvalidArgument(std::to_string(response.status) +
                           " status code. Response was not valid JSON");
  }
  return InvalidArgument(std::to_string(response.status) + " status code. " +
                         ErrorDetail(response));
}

std::vector<std::string> StringList(const JsonValue* list) {
  std::vector<std::string> out;
  if (!list || !list->is_array()) return out;
  for (const JsonValue& item : list->as_array()) out.push_back(PyStr(item));
  return out;
}

}  // namespace

Status RunDatabases(const ListOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  Remote remote(target);
  ALM_ASSIGN_OR_RETURN(JsonValue data, GetJson(remote, "/.json"));
  JsonValue list = JsonValue::MakeArray();
  const JsonValue* databases = data.is_object() ? data.Find("databases") : &data;
  if (databases && databases->is_array()) {
    list = *databases;
  } else if (databases && databases->is_object()) {
    for (const auto& [name, info] : databases->as_object()) list.as_array().push_back(info);
  }
  if (options.json) {
    Print(io.out, PyJsonDumps(list, 2));
    return Status::Ok();
  }
  for (const JsonValue& db : list.as_array()) Print(io.out, Name(db));
  return Status::Ok();
}

Status RunTables(const ListOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Scoped scoped, ResolveScoped(options.target, config));
  Remote remote(scoped.target);
  ALM_ASSIGN_OR_RETURN(JsonValue data, GetJson(remote, PathSegment(scoped.database) + ".json"));
  JsonValue tables = JsonValue::MakeArray(), views = JsonValue::MakeArray();
  if (const JsonValue* t = data.Find("tables"); t && t->is_array()) tables = *t;
  if (const JsonValue* v = data.Find("views"); v && v->is_array()) views = *v;
  if (options.json) {
    JsonValue out = options.views_only ? views : tables;
    if (options.views && !options.views_only) {
      for (const JsonValue& v : views.as_array()) out.as_array().push_back(v);
    }
    Print(io.out, PyJsonDumps(out, 2));
    return Status::Ok();
  }
  if (!options.views_only) {
    for (const JsonValue& t : tables.as_array()) {
      const JsonValue* hidden = t.is_object() ? t.Find("hidden") : nullptr;
      if (!options.hidden && hidden && hidden->Truthy()) continue;
      const JsonValue* count = t.is_object() ? t.Find("count") : nullptr;
      if (count && !count->is_null()) {
        Print(io.out, Name(t) + "\t" + PyStr(*count) + " rows");
      } else {
        Print(io.out, Name(t));
      }
    }
  }
  if (options.views || options.views_only) {
    for (const JsonValue& v : views.as_array()) Print(io.out, Name(v));
  }
  return Status::Ok();
}

Status RunSchema(const ListOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Scoped scoped, ResolveScoped(options.target, config));
  Remote remote(scoped.target);
  std::string path = PathSegment(scoped.database);
  path += options.table ? PathSegment(*options.table) + "/-/schema.json" : "/-/schema.json";
  ALM_ASSIGN_OR_RETURN(JsonValue data, GetJson(remote, path));
  if (options.json) {
    Print(io.out, PyJsonDumps(data, 2));
    return Status::Ok();
  }
  const JsonValue* schema = data.is_object() ? data.Find("schema") : nullptr;
  Print(io.out, schema ? PyStr(*schema) : "");
  return Status::Ok();
}

Status RunPlugins(const ListOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  Remote remote(target);
  ALM_ASSIGN_OR_RETURN(JsonValue data, GetJson(remote, "/-/plugins.json"));
  if (options.json) {
    Print(io.out, PyJsonDumps(data, 2));
    return Status::Ok();
  }
  if (data.is_array()) {
    for (const JsonValue& plugin : data.as_array()) Print(io.out, Name(plugin));
  }
  return Status::Ok();
}

Status RunActor(const ListOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  Remote remote(target);
  ALM_ASSIGN_OR_RETURN(HttpResponse response, remote.Get("/-/actor.json"));
  if (response.status < 200 || response.status >= 300) {
    return Unauthenticated(StatusError(response) + " for " + response.url);
  }
  ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(response));
  Print(io.out, PyJsonDumps(data, 4));
  return Status::Ok();
}

Status RunGet(const ListOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  Remote remote(target);
  std::string path = options.path;
  path.erase(0, path.find_first_not_of('/'));
  path = "/" + path;
  ALM_ASSIGN_OR_RETURN(HttpResponse response, remote.Get(path));
  if (response.status != 200) {
    std::string message =
        std::to_string(response.status) + " error for " + JoinUrl(target.url, path);
    std::string detail = ErrorDetail(response);
    return InvalidArgument(detail.empty() ? message : message + ": " + detail);
  }
  if (response.content_type.find("json") != std::string::npos) {
    ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(response));
    Print(io.out, PyJsonDumps(data, 2));
  } else {
    Print(io.out, response.body);
  }
  return Status::Ok();
}

Status RunQuery(const QueryOptions& options, ConfigStore& config, Io io) {
  Target target;
  std::string database;
  if (options.database) {
    ALM_ASSIGN_OR_RETURN(target, ResolveTarget(options.target, config));
    database = *options.database;
  } else {
    ALM_ASSIGN_OR_RETURN(Scoped scoped, ResolveScoped(options.target, config));
    target = scoped.target;
    database = scoped.database;
  }
  Remote remote(target);
  QueryArgs params = {{"sql", options.sql}, {"_shape", "objects"}};
  for (const auto& p : options.params) params.push_back(p);
  std::string path = PathSegment(database) + ".json";
  if (options.verbose) std::fprintf(io.err, "%s\n", remote.UrlFor(path, params).c_str());
  ALM_ASSIGN_OR_RETURN(HttpResponse response, remote.Get(path, params));
  if (response.status != 200) return QueryError(response);
  ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(response));
  const JsonValue* ok = data.is_object() ? data.Find("ok") : nullptr;
  if (!ok || !ok->Truthy()) {
    std::string detail = ErrorDetail(response);
    return InvalidArgument(detail.empty() ? PyJsonDumps(data) : detail);
  }
  RowPrinter printer(options.format, io.out);
  if (const JsonValue* columns = data.Find("columns"); columns && columns->is_array()) {
    printer.SetColumns(StringList(columns));
  }
  if (const JsonValue* rows = data.Find("rows"); rows && rows->is_array()) {
    for (const JsonValue& row : rows->as_array()) printer.Add(row);
  }
  printer.Finish();
  return Status::Ok();
}

}  // namespace almanac::client
