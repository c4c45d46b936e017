#include <chrono>
#include <thread>

#include "client/insert.h"
#include "client/python_text.h"
#include "client/url_parts.h"
#include "format/json_writer.h"

namespace almanac::client {
namespace {

using format::JsonValue;

std::chrono::milliseconds Backoff(int attempt, const Result<HttpResponse>& response) {
  if (response.ok() && !response->retry_after.empty()) {
    int seconds = std::atoi(response->retry_after.c_str());
    if (seconds > 0) return std::chrono::milliseconds(std::min(seconds, 30) * 1000);
  }
  return std::chrono::milliseconds(std::min(250 << std::min(attempt, 6), 16000));
}

}  // namespace

BatchSender::BatchSender(Remote& remote, const InsertOptions& options, Io io,
                         std::atomic<int64_t>& written, bool in_order)
    : remote_(remote), options_(options), io_(io), written_(written), in_order_(in_order) {}

std::string BatchSender::WrittenBefore(const PreparedRows& rows) const {
  if (in_order_) return " " + std::to_string(rows.first_row - 1) + " rows before it were written.";
  return " " + std::to_string(written_.load()) + " rows are known to be written.";
}

std::string BatchSender::Url() const {
  std::string db = PathSegment(options_.database);
  if (creating()) return JoinUrl(remote_.target().url, db + "/-/create");
  return JoinUrl(remote_.target().url, db + PathSegment(options_.table) + "/-/" +
                                           (options_.upsert ? "upsert" : "insert"));
}

std::string BatchSender::Body(const std::string& rows_json) const {
  std::string out = "{";
  if (creating()) out += "\"table\": " + format::JsonQuote(options_.table) + ", ";
  out += "\"rows\": [" + rows_json + "]";
  if (options_.replace) out += ", \"replace\": true";
  if (options_.ignore) out += ", \"ignore\": true";
  if (options_.alter) out += ", \"alter\": true";
  if (creating() && options_.pks.size() == 1) {
    out += ", \"pk\": " + format::JsonQuote(options_.pks[0]);
  } else if (creating() && options_.pks.size() > 1) {
    out += ", \"pks\": [";
    for (size_t i = 0; i < options_.pks.size(); ++i)
      out += (i ? ", " : "") + format::JsonQuote(options_.pks[i]);
    out += "]";
  }
  return out + "}";
}

std::vector<PreparedRows> PrepareRows(RowBatch batch, size_t max_body_bytes) {
  auto shared = std::make_shared<const RowBatch>(std::move(batch));
  std::vector<PreparedRows> out;
  PreparedRows current{shared, 0, 0, ""};
  std::string row;
  for (size_t i = 0; i < shared->size(); ++i) {
    row.clear();
    shared->AppendRowJson(i, row);
    if (max_body_bytes > 0 && i > current.begin &&
        current.rows_json.size() + row.size() + 256 > max_body_bytes) {
      current.end = i;
      out.push_back(std::move(current));
      current = PreparedRows{shared, i, i, ""};
    }
    if (i > current.begin) current.rows_json += ", ";
    current.rows_json += row;
  }
  current.end = shared->size();
  if (current.end > current.begin) out.push_back(std::move(current));
  return out;
}

BatchSender::Outcome BatchSender::Classify(const Result<HttpResponse>& response,
                                           SendFailure failure) const {
  if (!response.ok()) return failure == SendFailure::kNotSent ? Outcome::kRetry : Outcome::kUnknown;
  int status = response->status;
  if (status >= 200 && status < 300) return Outcome::kWritten;
  if (status == 429 || status == 503) return Outcome::kRetry;
  if (status == 500 || status == 502 || status == 504) return Outcome::kUnknown;
  return Outcome::kFailed;
}

Status BatchSender::Send(const PreparedRows& rows) {
  std::string url = Url();
  std::string body = Body(rows.rows_json);
  for (int attempt = 0;; ++attempt) {
    if (options_.verbose) Verbose(url, body);
    SendFailure failure = SendFailure::kNone;
    // Only an upsert may be resent blindly (see HttpRequest::no_resend).
    Result<HttpResponse> response =
        remote_.Post(url, body, "application/json", &failure, 40, !options_.upsert);
    if (response.ok() && options_.verbose) VerboseResponse(*response);
    Outcome outcome = Classify(response, failure);
    if (outcome == Outcome::kUnknown) {
      ALM_ASSIGN_OR_RETURN(outcome, Resolve(rows));
    }
    if (outcome == Outcome::kWritten) {
      written_ += static_cast<int64_t>(rows.end - rows.begin);
      created_ = true;
      return Status::Ok();
    }
    std::string error = response.ok() ? WriteErrorText(*response) : response.status().message();
    int64_t known = in_order_ ? rows.first_row - 1 : written_.load();
    std::string written = known > 0 ? "\n(" + std::to_string(known) + " rows were written" +
                                          (in_order_ ? " before this batch)" : ")")
                                    : "";
    if (outcome == Outcome::kFailed) return InvalidArgument(error + written);
    if (attempt >= options_.retries) {
      return Status(ErrorCode::kUnavailable, "Gave up after " + std::to_string(attempt + 1) +
                                                 " attempts: " + error + written);
    }
    std::chrono::milliseconds wait = Backoff(attempt, response);
    std::fprintf(io_.err, "Retrying batch %lld in %.1fs: %s\n", static_cast<long long>(rows.number),
                 static_cast<double>(wait.count()) / 1000, error.c_str());
    std::this_thread::sleep_for(wait);
  }
}

void BatchSender::Verbose(const std::string& url, const std::string& body) const {
  Result<JsonValue> data = format::ParseJson(body);
  std::fprintf(io_.err, "POST %s\n%s\n", url.c_str(),
               IndentText(data.ok() ? PyJsonDumps(*data, 2) : body).c_str());
}

void BatchSender::VerboseResponse(const HttpResponse& response) const {
  std::fprintf(io_.err, "%s\n", ResponseRepr(response).c_str());
  Result<JsonValue> data = format::ParseJson(response.body);
  if (response.status >= 200 && response.status < 300 && data.ok()) {
    std::fprintf(io_.err, "%s\n", IndentText(PyJsonDumps(*data, 2)).c_str());
  }
}

}  // namespace almanac::client
