// The request options every page with rows shares (table, view, SQL and canned-query pages):
// ?_size=, ?_shape= / ?_nl= / ?_json= / ?_json_infinity=, and ?_ttl=. Declared in api/table.h.
#include <charconv>

#include "api/table.h"

namespace almanac::api {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<int64_t> ParsePageSize(const std::string* size_arg, std::optional<int64_t> configured,
                              int64_t default_size, int64_t max_returned_rows) {
  if (!size_arg || size_arg->empty()) {
    if (!configured) return default_size;
    if (*configured > max_returned_rows) {
      return InvalidArgument("_size must be <= " + std::to_string(max_returned_rows));
    }
    return *configured;
  }
  if (*size_arg == "max") return max_returned_rows;
  int64_t size = 0;
  // Python's int(): surrounding whitespace and a leading "+" are allowed.
  std::string_view text = *size_arg;
  while (!text.empty() && (text.front() == ' ' || (text.front() >= '\t' && text.front() <= '\r'))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || (text.back() >= '\t' && text.back() <= '\r'))) {
    text.remove_suffix(1);
  }
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
  bool too_big = ec == std::errc::result_out_of_range && ptr == text.data() + text.size() &&
                 text.front() != '-';
  if (!too_big && (ec != std::errc() || ptr != text.data() + text.size() || size < 0)) {
    return InvalidArgument("_size must be a positive integer");
  }
  if (too_big || size > max_returned_rows) {
    return InvalidArgument("_size must be <= " + std::to_string(max_returned_rows));
  }
  return size;
}

Result<OutputOptions> ParseOutputOptions(const Request& request) {
  OutputOptions out;
  if (const std::string* shape = request.Arg("_shape")) {
    if (*shape == "objects" || shape->empty()) {
      out.shape = Shape::kObjects;
    } else if (*shape == "arrays") {
      out.shape = Shape::kArrays;
    } else if (*shape == "array") {
      out.shape = Shape::kArray;
    } else if (*shape == "arrayfirst") {
      out.shape = Shape::kArrayFirst;
    } else if (*shape == "object") {
      out.shape = Shape::kObject;
    } else {
      return InvalidArgument("Invalid _shape: " + *shape);
    }
  }
  if (const std::string* nl = request.Arg("_nl")) out.newline_delimited = !nl->empty();
  if (const std::string* inf = request.Arg("_json_infinity")) out.json_infinity = !inf->empty();
  out.json_columns = request.Args("_json");
  return out;
}

int64_t CacheTtl(const Instance& instance, const Request& request) {
  const std::string* ttl = request.Arg("_ttl");
  if (ttl && IsDigits(*ttl)) {
    int64_t value = 0;
    std::from_chars(ttl->data(), ttl->data() + ttl->size(), value);
    return value;
  }
  return instance.settings.default_cache_ttl;
}

}  // namespace almanac::api
