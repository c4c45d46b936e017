// /<db>.db (Datasette's database_download): the database file itself, for immutable
// databases only (a mutable file may be mid-write), when allow_download is on and the actor
// has view-database-download. In-memory databases are a 404. The file is streamed in 64 KB
// chunks with Content-Disposition: attachment. Also /:memory:..., Datasette's permanent
// redirect to /_memory...
#include <fstream>
#include <memory>

#include "api/resolve.h"
#include "core/url.h"
#include "http/handler_util.h"
#include "http/routes.h"

namespace almanac::http {
namespace {

constexpr size_t kChunk = 64 * 1024;

class FileStream : public BodyStream {
 public:
  explicit FileStream(std::unique_ptr<std::ifstream> file) : file_(std::move(file)) {}
  bool Next(std::string& chunk) override {
    size_t start = chunk.size();
    chunk.resize(start + kChunk);
    file_->read(chunk.data() + start, static_cast<std::streamsize>(kChunk));
    chunk.resize(start + static_cast<size_t>(file_->gcount()));
    return static_cast<bool>(*file_);
  }

 private:
  std::unique_ptr<std::ifstream> file_;
};

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
  auto file = std::make_unique<std::ifstream>(db->path(), std::ios::binary);
  if (!*file) return ErrorResponse(NotFound("Cannot download database"), ErrorFormat::kHtml);
  Response response;
  response.content_type = "application/octet-stream";
  response.AddHeader("Content-Disposition",
                     "attachment; filename=\"" + DownloadName(db->path()) + "\"");
  response.stream = std::make_shared<FileStream>(std::move(file));
  return response;
}

std::optional<Response> MemoryRedirect(const api::Request& request) {
  constexpr std::string_view kPrefix = "/:memory:";
  if (!request.path.starts_with(kPrefix)) return std::nullopt;
  std::string location = "/_memory" + request.path.substr(kPrefix.size());
  if (!request.query_string.empty()) location += "?" + request.query_string;
  return Response::Redirect(std::move(location), 301);
}

}  // namespace almanac::http
