// create-table and drop.
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include "client/commands.h"
#include "client/python_text.h"
#include "client/remote.h"
#include "client/url_parts.h"

namespace almanac::client {
namespace {

using format::JsonValue;

Status WriteFailure(const HttpResponse& response) {
  return InvalidArgument(WriteErrorText(response));
}

bool Success(const HttpResponse& response) {
  return response.status >= 200 && response.status < 300;
}

}  // namespace

Status RunCreateTable(const CreateTableOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  if (options.columns.empty()) return InvalidArgument("Provide at least one --column definition");
  JsonValue data = JsonValue::MakeObject();
  data.Set("table", JsonValue::String(options.table));
  JsonValue columns = JsonValue::MakeArray();
  for (size_t i = 0; i + 1 < options.columns.size(); i += 2) {
    JsonValue column = JsonValue::MakeObject();
    column.Set("name", JsonValue::String(options.columns[i]));
    column.Set("type", JsonValue::String(options.columns[i + 1]));
    columns.as_array().push_back(std::move(column));
  }
  data.Set("columns", std::move(columns));
  if (options.pks.size() == 1) {
    data.Set("pk", JsonValue::String(options.pks[0]));
  } else if (options.pks.size() > 1) {
    JsonValue pks = JsonValue::MakeArray();
    for (const std::string& pk : options.pks) pks.as_array().push_back(JsonValue::String(pk));
    data.Set("pks", std::move(pks));
  }
  Remote remote(target);
  std::string url = JoinUrl(target.url, PathSegment(options.database) + "/-/create");
  if (options.verbose) {
    std::fprintf(io.err, "POST %s\n%s\n", url.c_str(), IndentText(PyJsonDumps(data, 2)).c_str());
  }
  ALM_ASSIGN_OR_RETURN(HttpResponse response, remote.Post(url, PyJsonDumps(data)));
  if (options.verbose) std::fprintf(io.err, "%s\n", ResponseRepr(response).c_str());
  if (!Success(response)) return WriteFailure(response);
  ALM_ASSIGN_OR_RETURN(JsonValue answer, ParseBody(response));
  std::fprintf(io.out, "%s\n", PyJsonDumps(answer, 2).c_str());
  return Status::Ok();
}

Status RunDrop(const DropOptions& options, ConfigStore& config, Io io) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(options.target, config));
  Remote remote(target);
  std::string path = PathSegment(options.database) + PathSegment(options.table) + "/-/drop";
  if (!options.yes) {
    // Datasette answers a drop without "confirm" with the row count and drops nothing.
    ALM_ASSIGN_OR_RETURN(HttpResponse preview, remote.Post(path, "{}"));
    if (!Success(preview)) return WriteFailure(preview);
    ALM_ASSIGN_OR_RETURN(JsonValue data, ParseBody(preview));
    const JsonValue* count = data.Find("row_count");
    if (!::isatty(0)) {
      return InvalidArgument("Refusing to drop " + options.database + "/" + options.table +
                             " without confirmation: pass --yes");
    }
    std::fprintf(io.err, "Drop table %s/%s (%s rows)? [y/N]: ", options.database.c_str(),
                 options.table.c_str(), count ? PyStr(*count).c_str() : "?");
    std::fflush(io.err);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") return InvalidArgument("Aborted!");
  }
  ALM_ASSIGN_OR_RETURN(HttpResponse response, remote.Post(path, "{\"confirm\": true}"));
  if (!Success(response)) return WriteFailure(response);
  ALM_ASSIGN_OR_RETURN(JsonValue answer, ParseBody(response));
  std::fprintf(io.out, "%s\n", PyJsonDumps(answer, 2).c_str());
  return Status::Ok();
}

}  // namespace almanac::client
