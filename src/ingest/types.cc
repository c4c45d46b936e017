#include "ingest/types.h"

#include <charconv>
#include <cmath>

#include "core/text.h"

namespace almanac::ingest {
namespace {

constexpr int64_t kExactDoubleLimit = int64_t{1} << 53;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The significant digits of a decimal mantissa: no leading or trailing zeros, no point.
std::string SignificantDigits(std::string_view mantissa) {
  std::string digits;
  for (char c : mantissa) {
    if (IsDigit(c) && !(digits.empty() && c == '0')) digits += c;
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return digits;
}

}  // namespace

std::string_view SqlTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "TEXT";
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kFloat:
      return "FLOAT";
    case ColumnType::kBlob:
      return "BLOB";
    case ColumnType::kAny:
      return "ANY";
  }
  return "TEXT";
}

std::optional<ColumnType> ColumnTypeByName(std::string_view name) {
  std::string lower = AsciiLower(name);
  for (ColumnType t : {ColumnType::kText, ColumnType::kInteger, ColumnType::kReal,
                       ColumnType::kFloat, ColumnType::kBlob, ColumnType::kAny}) {
    if (AsciiLower(SqlTypeName(t)) == lower) return t;
  }
  return std::nullopt;
}

bool IsNumeric(ColumnType type) {
  return type == ColumnType::kInteger || type == ColumnType::kReal || type == ColumnType::kFloat;
}

bool ParseExactInteger(std::string_view s, int64_t* out) {
  size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  if (i == s.size() || !IsDigit(s[i])) return false;
  if (s[i] == '0' && s.size() > i + 1) return false;  // 007
  if (i == 1 && s == "-0") return false;              // reads back as 0
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseExactReal(std::string_view s, double* out) {
  size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  size_t int_start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  size_t int_digits = i - int_start;
  if (int_digits > 1 && s[int_start] == '0') return false;  // 007.5
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    frac_digits = i - frac_start;
  }
  if (int_digits + frac_digits == 0) return false;
  size_t mantissa_end = i;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == exp_start) return false;
  }
  if (i != s.size()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(*out)) return false;
  if (int_digits + frac_digits <= 15) return true;  // any 15 digits survive a double
  std::string digits = SignificantDigits(s.substr(int_start, mantissa_end - int_start));
  if (digits.size() <= 15) return *out != 0 || digits.empty();  // no underflow to zero
  // More digits than a double always keeps: compare with the double's own digits.
  char buffer[64];
  auto [end, ec2] =
      std::to_chars(buffer, buffer + sizeof buffer, std::fabs(*out), std::chars_format::scientific,
                    static_cast<int>(digits.size()) - 1);
  if (ec2 != std::errc()) return false;
  std::string_view printed(buffer, static_cast<size_t>(end - buffer));
  return SignificantDigits(printed.substr(0, printed.find('e'))) == digits;
}

void TypeGuess::Observe(std::string_view cell) {
  if (cell.empty() || !(integer_ || real_)) return;
  int64_t i = 0;
  double d = 0;
  if (integer_) {
    if (ParseExactInteger(cell, &i)) {
      // A REAL column could not hold this integer exactly.
      if (i > kExactDoubleLimit || i < -kExactDoubleLimit) real_ = false;
      return;
    }
    integer_ = false;
  }
  if (real_ && !ParseExactReal(cell, &d)) real_ = false;
}

void JsonTypes::Observe(const format::JsonValue& value) {
  using T = format::JsonValue::Type;
  switch (value.type()) {
    case T::kNull:
      seen_ |= kNone;
      break;
    case T::kBool:
      seen_ |= kBool;
      break;
    case T::kInt:
      seen_ |= kInt;
      break;
    case T::kDouble:
      seen_ |= kFloat;
      break;
    case T::kString:
      seen_ |= kStr;
      break;
    case T::kArray:
      seen_ |= kList;
      break;
    case T::kObject:
      seen_ |= kDict;
      break;
  }
}

// sqlite-utils' types_for_column_types.
ColumnType JsonTypes::type() const {
  unsigned seen = seen_;
  if (seen != kNone) seen &= ~static_cast<unsigned>(kNone);
  if (seen == 0 || seen == kNone) return ColumnType::kText;
  if ((seen & ~static_cast<unsigned>(kInt | kBool)) == 0) return ColumnType::kInteger;
  if ((seen & ~static_cast<unsigned>(kInt | kBool | kFloat)) == 0) return ColumnType::kReal;
  if (seen == kBytes || seen == (kBytes | kStr)) return ColumnType::kBlob;
  return ColumnType::kText;
}

Result<Cell> ConvertText(std::string_view text, ColumnType type, std::string_view column) {
  if (!IsNumeric(type)) return Cell::Text(text);
  if (text.empty()) return Cell::Null();
  int64_t i = 0;
  double d = 0;
  if (type == ColumnType::kInteger) {
    if (ParseExactInteger(text, &i)) return Cell::Integer(i);
    return InvalidArgument("column " + std::string(column) + ": " +
                           std::string(text.substr(0, 60)) + " is not an integer");
  }
  if (ParseExactInteger(text, &i)) {
    // As TypeGuess: an integer a double cannot hold exactly does not belong in a REAL column.
    if (i <= kExactDoubleLimit && i >= -kExactDoubleLimit)
      return Cell::Real(static_cast<double>(i));
  } else if (ParseExactReal(text, &d)) {
    return Cell::Real(d);
  }
  return InvalidArgument("column " + std::string(column) + ": " + std::string(text.substr(0, 60)) +
                         " is not a number");
}

}  // namespace almanac::ingest
