// Status: the outcome of an operation that can fail, with a closed set of error codes.
// Module functions return Status or Result<T>; exceptions never cross module boundaries.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace almanac {

// The closed set of ways an operation fails. Each maps to one HTTP status in
// http/error_response.cc; pick by what the caller should do, not by where it happened.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,   // the request is malformed or names something invalid (400)
  kUnauthenticated,   // credentials are missing, bad or expired (401)
  kPermissionDenied,  // the actor may not do this (403)
  kNotFound,          // the database, table, row or page does not exist (404)
  kMethodNotAllowed,  // the URL exists but not for this HTTP method (405)
  kConflict,          // the request clashes with the current state, e.g. table exists (409)
  kTooLarge,          // a body, header or result exceeds a configured limit (413)
  kDeadlineExceeded,  // a time limit was hit (e.g. sql_time_limit_ms)
  kUnavailable,       // retry later: the server is shutting down or overloaded (503)
  kInternal,          // a bug or an unexpected failure (500)
};

std::string_view ErrorCodeName(ErrorCode code);

// What an error is about, for the callers that decide by it (a missing table may be a canned
// query; a refused statement is not shown as an SQL error). Decisions read this tag, never
// the message's text, which may be reworded freely.
enum class ErrorSubject {
  kNone = 0,
  kDatabase,          // the named database
  kTable,             // the named table or view
  kRow,               // the row a URL names
  kRefusedStatement,  // SQL refused before it ran (not a single read-only SELECT)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code) {
    messages_.push_back(std::move(message));
  }
  Status(ErrorCode code, std::vector<std::string> messages)
      : code_(code), messages_(std::move(messages)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // Every message, in order (Datasette's "errors" list).
  const std::vector<std::string>& messages() const { return messages_; }
  // The messages joined with "; " (Datasette's "error" string).
  std::string message() const;

  // Tags what the error is about: return NotFound("Table not found").About(ErrorSubject::kTable).
  Status About(ErrorSubject subject) && {
    subject_ = subject;
    return std::move(*this);
  }
  ErrorSubject subject() const { return subject_; }
  // True for an error of this code about this subject.
  bool Is(ErrorCode code, ErrorSubject subject) const {
    return code_ == code && subject_ == subject;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  ErrorSubject subject_ = ErrorSubject::kNone;
  std::vector<std::string> messages_;
};

inline Status InvalidArgument(std::string m) {
  return Status(ErrorCode::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) { return Status(ErrorCode::kNotFound, std::move(m)); }
inline Status PermissionDenied(std::string m) {
  return Status(ErrorCode::kPermissionDenied, std::move(m));
}
inline Status Unauthenticated(std::string m) {
  return Status(ErrorCode::kUnauthenticated, std::move(m));
}
inline Status Internal(std::string m) { return Status(ErrorCode::kInternal, std::move(m)); }
inline Status TooLarge(std::string m) { return Status(ErrorCode::kTooLarge, std::move(m)); }
inline Status Conflict(std::string m) { return Status(ErrorCode::kConflict, std::move(m)); }
inline Status DeadlineExceeded(std::string m) {
  return Status(ErrorCode::kDeadlineExceeded, std::move(m));
}

}  // namespace almanac
