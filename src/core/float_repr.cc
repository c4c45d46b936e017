#include "core/float_repr.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace almanac {

void AppendPythonFloat(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  // Shortest round-trip digits in scientific form: "[-]d[.ddd]e[+-]XX". No heap allocation:
  // this runs once per REAL cell of every JSON and CSV response.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  (void)ec;
  const char* p = buf;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  char digits[32];
  size_t n = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[n++] = *p;
    ++p;
  }
  int exponent = 0;
  bool exponent_negative = false;
  if (p < end) ++p;  // 'e'
  if (p < end && (*p == '-' || *p == '+')) exponent_negative = *p++ == '-';
  while (p < end) exponent = exponent * 10 + (*p++ - '0');
  if (exponent_negative) exponent = -exponent;
  std::string_view all(digits, n);
  if (exponent >= -4 && exponent < 16) {
    int point = exponent + 1;  // digits before the decimal point
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += all;
    } else if (static_cast<size_t>(point) >= n) {
      out += all;
      out.append(static_cast<size_t>(point) - n, '0');
      out += ".0";
    } else {
      out += all.substr(0, static_cast<size_t>(point));
      out += '.';
      out += all.substr(static_cast<size_t>(point));
    }
    return;
  }
  out += digits[0];
  if (n > 1) {
    out += '.';
    out += all.substr(1);
  }
  out += 'e';
  out += exponent < 0 ? '-' : '+';
  int magnitude = std::abs(exponent);
  if (magnitude < 10) out += '0';
  char exp_buf[8];
  auto [exp_end, exp_ec] = std::to_chars(exp_buf, exp_buf + sizeof exp_buf, magnitude);
  (void)exp_ec;
  out.append(exp_buf, static_cast<size_t>(exp_end - exp_buf));
}

std::string PythonFloat(double value) {
  std::string out;
  AppendPythonFloat(value, out);
  return out;
}

}  // namespace almanac
