#include "colibri/core/fixed_string.h"

#include <set>
#include <string>
#include <unordered_set>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace colibri {
namespace {

using ClientId = FixedString<36>;

TEST(FixedString, HoldsUpToItsCapacityAndRefusesMore) {
  const auto id = ClientId::from("PMMB-BTCUSDT-1723161241000000-000001");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->view(), "PMMB-BTCUSDT-1723161241000000-000001");
  EXPECT_EQ(id->size(), 36u);
  const auto too_long = ClientId::from(std::string(37, 'x'));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message().find("longer than 36 bytes"), std::string::npos);
  EXPECT_EQ(FixedString<4>::truncating("BTCUSDT").view(), "BTCU");
  EXPECT_TRUE(ClientId::from("")->empty());
}

TEST(FixedString, EqualStringsHashEquallyHoweverTheyWereMade) {
  const auto a = *ClientId::from("abc");
  const auto b = ClientId::truncating("abc");
  const auto c = *ClientId::from(std::string_view("abcdef").substr(0, 3));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(a.hash(), c.hash());
  EXPECT_EQ(std::hash<ClientId>{}(a), a.hash());
  // The size takes part: "" and a string of NUL bytes hold the same bytes.
  EXPECT_NE(ClientId::from("")->hash(), ClientId::from(std::string(3, '\0'))->hash());
  EXPECT_NE(*ClientId::from(""), *ClientId::from(std::string(3, '\0')));
}

// Client order ids differ in their last digits only: their hashes must still spread, or a hash
// table of live orders degrades into long chains.
TEST(FixedString, IdsThatDifferInTheirLastDigitsHashApart) {
  std::unordered_set<std::size_t> hashes;
  std::set<std::size_t> low_bits;
  for (int i = 0; i < 10'000; ++i) {
    const auto id = *ClientId::from(fmt::format("PMMB-BTCUSDT-1723161241000000-{:06}", i));
    hashes.insert(id.hash());
    low_bits.insert(id.hash() & 1023);
  }
  EXPECT_EQ(hashes.size(), 10'000u);
  EXPECT_GT(low_bits.size(), 1000u * 9 / 10);  // 10,000 ids fill nearly every one of 1,024 buckets
}

TEST(FixedString, OrdersAndComparesBytewise) {
  EXPECT_LT(*FixedString<8>::from("ETH"), *FixedString<8>::from("ETHUSDT"));
  EXPECT_LT(*FixedString<8>::from("BTC"), *FixedString<8>::from("ETH"));
  EXPECT_EQ(*FixedString<8>::from("USDT"), std::string_view("USDT"));
  EXPECT_EQ(fmt::format("{}", *FixedString<8>::from("USDT")), "USDT");
}

// Equality reads whole words and the tail past them: a difference in any byte, or in the size
// alone, makes strings unequal, whatever the capacity's remainder modulo 8.
TEST(FixedString, EqualityComparesEveryByteAndTheSize) {
  const std::string text = "x-BTCUSDT-1732280000000-000000000042";  // 36 bytes: four words and a tail
  const auto id = *FixedString<36>::from(text);
  EXPECT_EQ(id, *FixedString<36>::from(text));
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string other = text;
    other[i] = other[i] == 'z' ? 'y' : 'z';
    EXPECT_NE(id, *FixedString<36>::from(other)) << "byte " << i;
  }
  EXPECT_NE(id, *FixedString<36>::from(text.substr(0, 35)));
  // A trailing NUL byte differs from the padding only by the size.
  EXPECT_NE(*FixedString<12>::from(std::string_view("BTC\0", 4)), *FixedString<12>::from("BTC"));
  EXPECT_EQ(*FixedString<12>::from(""), FixedString<12>());
  EXPECT_EQ(*FixedString<8>::from("USDTUSDT"), *FixedString<8>::from("USDTUSDT"));
  EXPECT_NE(*FixedString<8>::from("USDTUSDT"), *FixedString<8>::from("USDTUSDC"));
}

}  // namespace
}  // namespace colibri
