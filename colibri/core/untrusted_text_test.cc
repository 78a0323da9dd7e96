#include "colibri/core/untrusted_text.h"

#include <gtest/gtest.h>

namespace colibri {
namespace {

TEST(UntrustedText, EscapesEveryByteThatCouldGarbleALogLine) {
  EXPECT_EQ(printable("BTCUSDT", 24), "BTCUSDT");
  EXPECT_EQ(printable("a\nb\t\"c\\", 24), "a\\x0ab\\x09\\x22c\\x5c");
  EXPECT_EQ(printable("\x1b[31m", 24), "\\x1b[31m") << "no terminal escape reaches the log";
  EXPECT_EQ(printable("\xc3\xa9", 24), "\\xc3\\xa9") << "non-ASCII bytes are written as bytes";
  EXPECT_EQ(printable(std::string_view("a\0b", 3), 24), "a\\x00b");
}

TEST(UntrustedText, CutsLongTextAndSaysSo) {
  const std::string long_text(100, 'x');
  EXPECT_EQ(printable(long_text, 5), "xxxxx...");
  EXPECT_EQ(printable("xxxxx", 5), "xxxxx") << "exactly the limit: nothing cut";
  EXPECT_EQ(quote_untrusted(long_text), "\"" + std::string(24, 'x') + "...\"");
  EXPECT_EQ(quote_untrusted("1.5x", 40), "\"1.5x\"");
  EXPECT_EQ(quote_untrusted(""), "\"\"");
}

}  // namespace
}  // namespace colibri
