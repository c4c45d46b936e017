// Result<T>: a value or the Status that explains why there is none.
// (GCC 12 only offers std::expected under -std=c++2b.)
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "core/status.h"

namespace almanac {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

#define ALM_CONCAT_INNER_(a, b) a##b
#define ALM_CONCAT_(a, b) ALM_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define ALM_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::almanac::Status alm_status_ = (expr);    \
    if (!alm_status_.ok()) return alm_status_; \
  } while (false)

// `lhs = value of expr`, or returns its Status from the enclosing function.
#define ALM_ASSIGN_OR_RETURN(lhs, expr) \
  ALM_ASSIGN_OR_RETURN_IMPL_(ALM_CONCAT_(alm_result_, __COUNTER__), lhs, expr)
#define ALM_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                               \
  if (!result.ok()) return result.status();           \
  lhs = std::move(result).value()

}  // namespace almanac
