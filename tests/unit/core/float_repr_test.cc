#include "core/float_repr.h"

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
}

}  // namespace
}  // namespace almanac
