#include "core/float_repr.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace almanac {
namespace {

TEST(PythonFloat, MatchesPythonRepr) {
  EXPECT_EQ(PythonFloat(100.0), "100.0");
  EXPECT_EQ(PythonFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PythonFloat(-0.0), "-0.0");
  EXPECT_EQ(PythonFloat(1e16), "1e+16");
  EXPECT_EQ(PythonFloat(1e-5), "1e-05");
  EXPECT_EQ(PythonFloat(0.0001), "0.0001");
  EXPECT_EQ(PythonFloat(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(PythonFloat(1.5), "1.5");
  EXPECT_EQ(PythonFloat(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(PythonFloat(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(PythonFloat(5e-324), "5e-324");
  EXPECT_EQ(PythonFloat(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(PythonFloat(0.4112337011033099), "0.4112337011033099");
  EXPECT_EQ(PythonFloat(12345.678), "12345.678");
}

TEST(PythonFloat, ExtremesMatchPython) {
  EXPECT_EQ(PythonFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(PythonFloat(123456789012345.6), "123456789012345.6");
  EXPECT_EQ(PythonFloat(1e22), "1e+22");
  EXPECT_EQ(PythonFloat(1e-7), "1e-07");
  EXPECT_EQ(PythonFloat(5e-324), "5e-324");
  EXPECT_EQ(PythonFloat(1.5e-320), "1.5e-320");
  EXPECT_EQ(PythonFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(PythonFloat(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(PythonFloat(0.0), "0.0");
  EXPECT_EQ(PythonFloat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(PythonFloat(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(PythonFloat(std::nan("")), "nan");
}

}  // namespace
}  // namespace almanac
