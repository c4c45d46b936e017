#include "core/md5.h"

#include <gtest/gtest.h>

#include "core/lazy_library.h"

namespace almanac {
namespace {

// RFC 1321's test suite, plus lengths around the one- and two-block tails.
TEST(Md5, MatchesRfc1321) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234"
                   "567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5, TailLengths) {
  EXPECT_EQ(Md5Hex(std::string(55, 'a')), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(Md5Hex(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(Md5Hex(std::string(64, 'b')), "0b649bcb5a82868817fec9a6e709d233");
  EXPECT_EQ(Md5Hex(std::string(1000, 'x')), "398533d48111e9f664b1f64cb10c4b63");
}

// Datasette's colour for a database named "demo": md5("demo")[:6].
TEST(Md5, DatabaseColour) { EXPECT_EQ(Md5Hex("demo").substr(0, 6), "fe01ce"); }

TEST(LazyLibrary, FindsAFunctionOnFirstUse) {
  LazyLibrary libc("libc.so.6", "this test");
  auto* strlen_fn = reinterpret_cast<size_t (*)(const char*)>(libc.Symbol("strlen"));
  EXPECT_EQ(strlen_fn("four"), 4u);
}

}  // namespace
}  // namespace almanac
