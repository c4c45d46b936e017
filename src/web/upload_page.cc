#include "web/upload_page.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include <unistd.h>

#include "api/resolve.h"
#include "core/url.h"
#include "db/disk_quota.h"
#include "format/error_json.h"
#include "format/json_writer.h"
#include "http/multipart.h"
#include "ingest/byte_source.h"
#include "ingest/importer.h"
#include "ingest/record_source.h"
#include "web/error_response.h"
#include "web/handler_util.h"
#include "web/upload_receiver.h"
#include "write/checks.h"
#include "write/validate.h"

namespace almanac::web {
namespace {

// Room for the multipart framing and the short fields around the data.
constexpr int64_t kFramingAllowance = 64 * 1024;

bool WantsJson(const RouteContext& ctx) {
  if (ctx.route.format == "json") return true;
  const std::string* accept = ctx.request.Header("accept");
  return accept && accept->find("application/json") != std::string::npos &&
         accept->find("text/html") == std::string::npos;
}

// Where the data waits while the body arrives: beside the database (the disk that will hold
// it anyway), else the temporary directory.
std::string SpoolDir(const db::Database& db) {
  if (db.is_memory() || db.path().empty()) return "/tmp";
  std::filesystem::path dir = std::filesystem::path(db.path()).parent_path();
  return dir.empty() ? "." : dir.string();
}

// The format the form asked for, else the file name's extension; nullopt: detect from the
// first bytes. InvalidArgument for a format or an extension that is not one of ours.
Result<std::optional<ingest::InputFormat>> ChooseFormat(const std::string& asked,
                                                        const std::string& filename) {
  if (asked == "csv") return std::optional(ingest::InputFormat::kCsv);
  if (asked == "tsv") return std::optional(ingest::InputFormat::kTsv);
  if (asked == "json") return std::optional(ingest::InputFormat::kJson);
  if (asked == "ndjson") return std::optional(ingest::InputFormat::kNdjson);
  if (!asked.empty()) {
    return InvalidArgument("Unknown format \"" + asked + "\": use csv, tsv, json or ndjson");
  }
  if (std::optional<ingest::InputFormat> by_name = ingest::FormatFromExtension(filename)) {
    return by_name;
  }
  std::string base = filename.substr(filename.find_last_of("/\\") + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0 && base.substr(dot) != ".txt") {
    return InvalidArgument("Unknown format " + base.substr(dot) +
                           ": upload CSV, TSV, JSON or newline-delimited JSON, or choose the "
                           "format");
  }
  return std::optional<ingest::InputFormat>();
}

std::string FormatLabel(ingest::InputFormat format) {
  switch (format) {
    case ingest::InputFormat::kCsv:
      return "CSV";
    case ingest::InputFormat::kTsv:
      return "TSV";
    case ingest::InputFormat::kJson:
      return "JSON";
    case ingest::InputFormat::kNdjson:
      return "newline-delimited JSON";
    default:
      return "text";
  }
}

// The checks that decide whether the page is shown at all.
Result<api::ResolvedDatabase> UploadTarget(const api::Instance& instance,
                                           const api::Request& request,
                                           const std::string& database) {
  ALM_ASSIGN_OR_RETURN(api::ResolvedDatabase resolved, api::ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(api::Require(instance, request, auth::Action::kCreateTable,
                                   auth::Resource::Database(database),
                                   "You do not have permission to create tables in this database"));
  ALM_RETURN_IF_ERROR(write::RequireDatabase(
      instance.permissions, request.actor, auth::Action::kInsertRow, database,
      "You do not have permission to insert rows in this database"));
  ALM_RETURN_IF_ERROR(write::CheckMutable(*resolved.db));
  return resolved;
}

Response Page(int status, std::string html) {
  Response response = Response::Html(status, std::move(html));
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

// One POST: its body read part by part into an UploadReceiver, then imported on the writer.
class Upload : public std::enable_shared_from_this<Upload> {
 public:
  using ReplyFn = std::function<void(Response)>;

  Upload(const api::Instance& instance, const ui::Renderer& ui, api::Request request,
         std::string database, db::Database* db, bool json, std::string boundary)
      : instance_(instance),
        ui_(ui),
        request_(std::move(request)),
        database_(std::move(database)),
        db_(db),
        json_(json),
        receiver_(SpoolDir(*db), UploadLimit()),
        parser_(std::move(boundary), receiver_) {}
  ~Upload() {
    if (fd_ >= 0) close(fd_);
  }
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  void Start(ReplyFn reply) {
    reply_ = std::move(reply);
    reader_ = std::move(request_.body_reader);
    if (!reader_) {
      // A body read whole (a request built by hand, `serve --get`).
      Status status = parser_.Feed(request_.body);
      request_.body.clear();
      Finished(status);
      return;
    }
    ReadMore();
  }

 private:
  void ReadMore() {
    auto self = shared_from_this();
    reader_->Read([self](const Status& status, std::string_view bytes, bool done) {
      if (!status.ok())
        return self->Fail(InvalidArgument("The upload did not arrive whole: " + status.message()));
      Status fed = self->parser_.Feed(bytes);
      if (!fed.ok()) return self->Fail(fed);
      if (done) return self->Finished(Status::Ok());
      self->ReadMore();
    });
  }

  void Finished(Status status) {
    if (status.ok()) status = parser_.Finish();
    if (!status.ok()) return Fail(status);
    form_.table_name = receiver_.table();
    form_.format = receiver_.format();
    form_.append = receiver_.append();
    if (receiver_.bytes() == 0) {
      return Fail(InvalidArgument("The upload is empty: choose a file or paste some data"));
    }
    std::string table = receiver_.table();
    if (table.empty() && !receiver_.pasted()) table = TableNameFromFilename(receiver_.filename());
    if (table.empty()) return Fail(InvalidArgument("The table needs a name"));
    for (char c : table) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return Fail(InvalidArgument("A table name cannot hold control characters"));
      }
    }
    if (!write::ValidTableName(table)) {
      return Fail(InvalidArgument("Invalid table name: " + table));
    }
    form_.table_name = table;
    Result<std::optional<ingest::InputFormat>> format =
        ChooseFormat(receiver_.format(), receiver_.filename());
    if (!format.ok()) return Fail(format.status());
    table_ = table;
    format_ = *format;
    bytes_ = receiver_.bytes();
    fd_ = receiver_.ReleaseData();
    auto self = shared_from_this();
    db_->write_queue()->Submit([self](db::WriteContext& ctx) { return self->Import(ctx); },
                               [self](const Status& done) { self->Committed(done); });
  }

  // On the writer thread, inside the job's savepoint.
  Status Import(db::WriteContext& ctx) {
    ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
    const db::TableInfo* existing = schema->Find(table_);
    if (existing) {
      if (existing->is_view()) return InvalidArgument(table_ + " is a view, not a table");
      if (!form_.append) {
        return InvalidArgument("A table named " + existing->name +
                               " exists already: choose another name, or tick \"Add the rows to "
                               "the table if it exists\"");
      }
      ALM_RETURN_IF_ERROR(write::RequireTable(
          instance_.permissions, request_.actor, auth::Action::kInsertRow, database_,
          existing->name, "You do not have permission to insert rows into " + existing->name));
      table_ = existing->name;
    }
    int fd = fd_;
    fd_ = -1;
    ingest::InputOptions input;
    input.format = format_;
    // The name only carries the format's extension; the upload's own name is never used.
    ALM_ASSIGN_OR_RETURN(
        std::unique_ptr<ingest::RecordSource> records,
        ingest::OpenRecords(ingest::OpenDescriptor(fd, "the upload"), "upload", input));
    detected_ = records->format();
    ingest::ImportOptions options;
    options.table = table_;
    Result<ingest::ImportResult> imported = ingest::Import(ctx.conn(), *records, options);
    ctx.InvalidateSchema();
    if (!imported.ok()) return imported.status();
    rows_ = imported->counts.inserted;
    created_ = imported->created;
    if (rows_ == 0) return InvalidArgument("The upload holds no rows");
    return Status::Ok();
  }

  void Committed(const Status& status) {
    if (!status.ok()) return Fail(status);
    ui::UploadOutcome outcome{table_, FormatLabel(detected_), rows_, bytes_, created_};
    int code = created_ ? 201 : 200;
    if (json_) {
      std::string body;
      format::JsonWriter w(body);
      w.BeginObject();
      w.MemberBool("ok", true);
      w.Member("database", database_);
      w.Member("table", table_);
      w.Member("table_url", request_.AbsoluteUrl(instance_.urls().Table(database_, table_)));
      w.Member("rows", rows_);
      w.Member("bytes", static_cast<int64_t>(bytes_));
      w.Member("format", std::string(FormatLabel(detected_)));
      w.MemberBool("created", created_);
      w.EndObject();
      return Send(Response::Json(code, std::move(body)));
    }
    Send(Page(200,
              ui_.Upload(database_, form_, &outcome, UploadLimit(), {instance_, request_, ""})));
  }

  void Fail(const Status& status) {
    if (json_) {
      int code = HttpStatus(status.code());
      return Send(Response::Json(code, format::ErrorJson(status, code)));
    }
    form_.error = status.message();
    Send(Page(HttpStatus(status.code()),
              ui_.Upload(database_, form_, nullptr, UploadLimit(), {instance_, request_, ""})));
  }

  void Send(Response response) {
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    if (!reply_) return;
    ReplyFn reply = std::move(reply_);
    reply_ = nullptr;
    reply(std::move(response));
  }

  const api::Instance& instance_;
  const ui::Renderer& ui_;
  api::Request request_;
  std::string database_;
  db::Database* db_;
  bool json_;
  std::shared_ptr<http::BodyReader> reader_;
  UploadReceiver receiver_;
  http::MultipartParser parser_;
  ReplyFn reply_;
  ui::UploadFormState form_;
  std::string table_;
  std::optional<ingest::InputFormat> format_;
  ingest::InputFormat detected_ = ingest::InputFormat::kCsv;
  uint64_t bytes_ = 0;
  int fd_ = -1;
  int64_t rows_ = 0;
  bool created_ = false;
};

Response Refuse(const Status& status, bool json) {
  if (json) {
    int code = HttpStatus(status.code());
    return Response::Json(code, format::ErrorJson(status, code));
  }
  return ErrorResponse(status, ErrorFormat::kHtml);
}

}  // namespace

bool IsUploadPath(std::string_view path) {
  if (path.ends_with(".json")) path.remove_suffix(5);
  if (!path.ends_with("/-/upload")) return false;
  path.remove_suffix(9);
  return path.size() > 1 && path.front() == '/' && path.find('/', 1) == std::string_view::npos;
}

int64_t UploadLimit() {
  int64_t quota = db::DiskQuotaBytes();
  return quota > 0 ? quota : kDefaultUploadLimit;
}

Response HandleUpload(const RouteContext& ctx) {
  bool json = WantsJson(ctx);
  std::string database = TildeDecode(ctx.route.database);
  Result<api::ResolvedDatabase> target = UploadTarget(ctx.instance, ctx.request, database);
  if (!target.ok()) return Refuse(target.status(), json);
  if (ctx.request.method != "POST") {
    if (ctx.route.format == "json") return MethodNotAllowed(ctx.request);
    return Page(
        200, ctx.ui.Upload(database, {}, nullptr, UploadLimit(), {ctx.instance, ctx.request, ""}));
  }
  if (const std::string* length = ctx.request.Header("content-length")) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(length->c_str(), &end, 10);
    if (end && *end == '\0' &&
        n > static_cast<unsigned long long>(UploadLimit() + kFramingAllowance)) {
      return Refuse(TooLarge("The upload is larger than " + std::to_string(UploadLimit() >> 20) +
                             " MB, the most accepted here"),
                    json);
    }
  }
  const std::string* content_type = ctx.request.Header("content-type");
  Result<std::string> boundary = http::MultipartBoundary(content_type ? *content_type : "");
  if (!boundary.ok()) return Refuse(boundary.status(), json);
  // The upload keeps its own copy of the request (the App still reads ctx.request); the body
  // is the upload's alone.
  api::Request request = ctx.request;
  ctx.request.body_reader.reset();
  ctx.request.body.clear();
  auto upload = std::make_shared<Upload>(ctx.instance, ctx.ui, std::move(request), database,
                                         target->db, json, std::move(*boundary));
  Response response;
  response.deferred = [upload](std::function<void(Response)> reply) {
    upload->Start(std::move(reply));
  };
  return response;
}

}  // namespace almanac::web
