// Internal to insert.cc and batch_sender.cc: sending rows to the write API in batches.
//
// Retries never duplicate rows. A batch is resent only when the server cannot have written
// it (no connection, 429, 503) or when resending is harmless (upsert, or insert with
// --replace/--ignore of rows that carry the table's primary key). When a connection breaks
// after a plain insert went out, the client asks the server whether the batch's rows are
// there (single-column primary keys); otherwise it stops, saying how many rows are known
// to be written and which batch may or may not have been.
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/commands.h"
#include "client/remote.h"
#include "client/row_source.h"

namespace almanac::client {

// Rows [begin, end) of a batch, encoded as the JSON objects of one request's "rows".
struct PreparedRows {
  std::shared_ptr<const RowBatch> batch;
  size_t begin = 0, end = 0;
  std::string rows_json;
  // Where the request stands in the input: its number (1, 2, ...) and the input position of
  // its first row (1-based). Set by the sending loop; messages name them.
  int64_t number = 0;
  int64_t first_row = 0;
};

// Splits `batch` into requests whose bodies stay under `max_body_bytes` (0: no limit) and
// encodes them. Thread-safe: insert.cc prepares the next batch while one is being sent.
std::vector<PreparedRows> PrepareRows(RowBatch batch, size_t max_body_bytes);

// Sends requests on one connection. Several senders may share one `written` counter (the
// rows known to be written, in all); `in_order` says whether every earlier request is known
// to be written when one is sent (one sender), which the error messages rely on.
class BatchSender {
 public:
  BatchSender(Remote& remote, const InsertOptions& options, Io io, std::atomic<int64_t>& written,
              bool in_order);

  // Sends one request (with retries). With --create, the first request goes to
  // /<db>/-/create and the rest, once the table exists, to /<db>/<table>/-/insert.
  Status Send(const PreparedRows& rows);

  int64_t written() const { return written_; }
  // Whether the table exists (with --create: once the first request has created it).
  bool created() const { return created_ || !options_.create; }
  void AssumeCreated() { created_ = true; }

 private:
  enum class Outcome { kWritten, kRetry, kUnknown, kFailed };
  std::string Url() const;
  bool creating() const { return options_.create && !created_; }
  std::string Body(const std::string& rows_json) const;
  // " N rows before it were written." in order; " N rows are known to be written." otherwise.
  std::string WrittenBefore(const PreparedRows& rows) const;
  Outcome Classify(const Result<HttpResponse>& response, SendFailure failure) const;
  // After an unknown outcome: kWritten, kRetry, or an error saying why it stops.
  Result<Outcome> Resolve(const PreparedRows& rows);
  Result<std::vector<std::string>> PrimaryKeys();
  void Verbose(const std::string& url, const std::string& body) const;
  void VerboseResponse(const HttpResponse& response) const;

  Remote& remote_;
  const InsertOptions& options_;
  Io io_;
  std::atomic<int64_t>& written_;
  bool in_order_;
  bool created_ = false;
  std::optional<std::vector<std::string>> pks_;
};

}  // namespace almanac::client
