// Doubles printed exactly as Python's repr() prints them: the shortest digits that round-trip,
// "100.0" rather than "100", and scientific notation below 1e-4 and from 1e16 ("1e+16").
#pragma once

#include <string>

namespace almanac {

// Appends repr(value) to `out`. Infinities print as "inf"/"-inf" and NaN as "nan".
void AppendPythonFloat(double value, std::string& out);
std::string PythonFloat(double value);

}  // namespace almanac
