// /<db>.db (Datasette's database_download): the database file itself, for immutable
// databases only (a mutable file may be mid-write), when allow_download is on and the actor
// has view-database-download. In-memory databases are a 404. The file is streamed in 64 KB
// chunks with Content-Disposition: attachment. Also /:memory:..., Datasette's permanent
// redirect to /_memory...
#include <fstream>
#include <memory>

#include "api/resolve.h"
#include "core/url.h"
#include "web/handler_util.h"
#include "web/handlers.h"
#include "web/pooled_stream.h"

namespace almanac::web {
namespace {

constexpr size_t kChunk = 64 * 1024;

// Appends the file's next 64 KB to `chunk`; false at its end.
bool ReadChunk(std::ifstream& file, std::string& chunk) {
  size_t start = chunk.size();
  chunk.resize(start + kChunk);
  file.read(chunk.data() + start, static_cast<std::streamsize>(kChunk));
  chunk.resize(start + static_cast<size_t>(file.gcount()));
  return static_cast<bool>(file);
}

// The file's name, safe inside a quoted header value (quotes, backslashes and control
// characters become '_').
std::string DownloadName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  for (char& c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  return name;
}

}  // namespace

Response HandleDatabaseDownload(const RouteContext& ctx) {
  const api::Instance& in = ctx.instance;
  std::string name = TildeDecode(ctx.route.database);
  Status allowed = api::Require(in, ctx.request, auth::Action::kViewDatabaseDownload,
                                auth::Resource::Database(name), "Permission denied");
  if (!allowed.ok()) return ErrorResponse(allowed, ErrorFormat::kHtml);
  db::Database* db = in.registry.Find(name);
  if (!db) return ErrorResponse(NotFound("Invalid database"), ErrorFormat::kHtml);
  if (db->is_memory()) {
    return ErrorResponse(NotFound("Cannot download in-memory databases"), ErrorFormat::kHtml);
  }
  if (!in.settings.allow_download || db->is_mutable()) {
    return ErrorResponse(PermissionDenied("Database download is forbidden"), ErrorFormat::kHtml);
  }
  auto file = std::make_shared<std::ifstream>(db->path(), std::ios::binary);
  if (!*file) return ErrorResponse(NotFound("Cannot download database"), ErrorFormat::kHtml);
  Response response;
  response.content_type = "application/octet-stream";
  response.AddHeader("Content-Disposition",
                     "attachment; filename=\"" + DownloadName(db->path()) + "\"");
  response.stream = std::make_shared<PooledStream>(
      in.pool, [file](std::string& chunk) { return ReadChunk(*file, chunk); });
  return response;
}

Response HandleMemoryRedirect(const RouteContext& ctx) {
  std::string location = ctx.instance.urls().Database("_memory") + ctx.route.rest;
  if (!ctx.request.query_string.empty()) location += "?" + ctx.request.query_string;
  return Response::Redirect(std::move(location), 301);
}

}  // namespace almanac::web
