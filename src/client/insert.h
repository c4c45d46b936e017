// Internal to insert.cc and batch_sender.cc: sending rows to the write API in batches.
//
// Retries never duplicate rows. A batch is resent only when the server cannot have written
// it (no connection, 429, 503) or when resending is harmless (upsert, or insert with
// --replace/--ignore of rows that carry the table's primary key). When a connection breaks
// after a plain insert went out, the client asks the server whether the batch's rows are
// there (single-column primary keys); otherwise it stops, saying how many rows are known
// to be written and which batch may or may not have been.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "client/commands.h"
#include "client/remote.h"
#include "client/row_source.h"

namespace almanac::client {

class BatchSender {
 public:
  BatchSender(Remote& remote, const InsertOptions& options, Io io, size_t max_body_bytes);

  // Sends rows [begin, end) of `batch` as one request (with retries).
  Status Send(const RowBatch& batch, size_t begin, size_t end);
  // Splits `batch` into requests of at most max_body_bytes and sends each.
  Status SendAll(const RowBatch& batch);

  int64_t written() const { return written_; }

 private:
  enum class Outcome { kWritten, kRetry, kUnknown, kFailed };
  std::string Url() const;
  std::string Body(const std::string& rows_json) const;
  Outcome Classify(const Result<HttpResponse>& response, SendFailure failure) const;
  // After an unknown outcome: kWritten, kRetry, or an error saying why it stops.
  Result<Outcome> Resolve(const RowBatch& batch, size_t begin, size_t end);
  Result<std::vector<std::string>> PrimaryKeys();
  void Verbose(const std::string& url, const std::string& body) const;
  void VerboseResponse(const HttpResponse& response) const;

  Remote& remote_;
  const InsertOptions& options_;
  Io io_;
  size_t max_body_bytes_;
  int64_t written_ = 0;
  int64_t batches_ = 0;
  std::optional<std::vector<std::string>> pks_;
};

}  // namespace almanac::client
