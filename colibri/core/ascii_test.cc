#include "colibri/core/ascii.h"

#include <gtest/gtest.h>

namespace colibri {
namespace {

TEST(Ascii, LowerFoldsOnlyAsciiCapitals) {
  EXPECT_EQ(ascii_lower('A'), 'a');
  EXPECT_EQ(ascii_lower('Z'), 'z');
  EXPECT_EQ(ascii_lower('a'), 'a');
  EXPECT_EQ(ascii_lower('-'), '-');
  EXPECT_EQ(ascii_lower('@'), '@');        // just before 'A'
  EXPECT_EQ(ascii_lower('['), '[');        // just after 'Z'
  EXPECT_EQ(ascii_lower('\xc9'), '\xc9');  // Latin-1 'É' is not ASCII
}

TEST(Ascii, EqualsIgnoringCaseComparesTheWholeText) {
  EXPECT_TRUE(equals_ignoring_case("Content-Length", "content-length"));
  EXPECT_TRUE(equals_ignoring_case("BUY", "buy"));
  EXPECT_TRUE(equals_ignoring_case("", ""));
  EXPECT_FALSE(equals_ignoring_case("buy", "buys"));
  EXPECT_FALSE(equals_ignoring_case("buy", "bux"));
  EXPECT_FALSE(equals_ignoring_case("@", "`")) << "0x40 and 0x60 differ by the case bit but are not letters";
  EXPECT_FALSE(equals_ignoring_case("\xc3\xa9", "\xc3\x89")) << "only ASCII letters fold";
  static_assert(equals_ignoring_case("X-MBX", "x-mbx"));
}

TEST(Ascii, StartsWithIgnoringCaseNeedsTheWholePrefix) {
  EXPECT_TRUE(starts_with_ignoring_case("x-mbx-used-weight-1m", "X-MBX-USED-WEIGHT-"));
  EXPECT_TRUE(starts_with_ignoring_case("X-MBX-ORDER-COUNT-10S", "x-mbx-order-count-"));
  EXPECT_TRUE(starts_with_ignoring_case("anything", ""));
  EXPECT_FALSE(starts_with_ignoring_case("x-mbx", "X-MBX-USED-WEIGHT-"));
  EXPECT_FALSE(starts_with_ignoring_case("retry-after", "X-MBX-"));
}

TEST(Ascii, ToAsciiLowerFoldsOnlyAsciiLetters) {
  EXPECT_EQ(to_ascii_lower("BTCUSDT"), "btcusdt");
  EXPECT_EQ(to_ascii_lower("1000SHIB-Usdt_2"), "1000shib-usdt_2");
  EXPECT_EQ(to_ascii_lower("\xc3\x89"), "\xc3\x89") << "UTF-8 bytes pass unchanged";
  EXPECT_EQ(to_ascii_lower(""), "");
}

}  // namespace
}  // namespace colibri
