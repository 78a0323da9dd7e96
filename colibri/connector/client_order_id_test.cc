#include "colibri/connector/client_order_id.h"

#include <cstdint>
#include <unordered_set>

#include <gtest/gtest.h>

namespace colibri::connector {
namespace {

using model::Side;

TEST(ClientOrderIdGenerator, IdsAreValidForBinanceAndCarryTheSide) {
  auto g = ClientOrderIdGenerator::create("x-XEKWYICX", Timestamp::from_ns(1'723'161'600'123'456'789));
  ASSERT_TRUE(g);
  const auto buy = g->next(Side::Buy);
  const auto sell = g->next(Side::Sell);
  EXPECT_TRUE(is_valid_client_order_id(buy.view())) << buy.view();
  EXPECT_TRUE(buy.view().starts_with("x-XEKWYICXB"));
  EXPECT_TRUE(sell.view().starts_with("x-XEKWYICXS"));
  EXPECT_EQ(buy.view().substr(11, 12), sell.view().substr(11, 12));  // the run's start
  EXPECT_EQ(buy.view().back(), '0');
  EXPECT_EQ(sell.view().back(), '1');
}

TEST(ClientOrderIdGenerator, LongestIdsFitThirtySixCharacters) {
  const std::int64_t last_start = 4'738'381'338'321'616'895;  // 36^12 - 1: "zzzzzzzzzzzz"
  auto g = ClientOrderIdGenerator::create("abcdefghij", Timestamp::from_ns(last_start));
  ASSERT_TRUE(g);
  const auto first = g->next(Side::Buy);
  EXPECT_EQ(first.view(), "abcdefghijBzzzzzzzzzzzz0");
  EXPECT_FALSE(ClientOrderIdGenerator::create("a", Timestamp::from_ns(last_start + 1)));
  // A generator that has issued 2^64 - 1 ids would write 13 counter digits: still 36.
  EXPECT_LE(10u + 1 + 12 + 13, model::ClientOrderId::kCapacity);
}

TEST(ClientOrderIdGenerator, IdsAreUniqueWithinARunAndAcrossRestarts) {
  std::unordered_set<std::string> seen;
  for (std::int64_t start : {1'000'000'000LL, 1'000'000'001LL, 1'700'000'000'000'000'000LL}) {
    auto g = ClientOrderIdGenerator::create("pmm", Timestamp::from_ns(start));
    ASSERT_TRUE(g);
    for (int i = 0; i < 5000; ++i) {
      const auto id = g->next(i % 2 == 0 ? Side::Buy : Side::Sell);
      ASSERT_TRUE(seen.insert(id.str()).second) << id.view();
    }
  }
  EXPECT_EQ(seen.size(), 15000u);
}

TEST(ClientOrderIdGenerator, RefusesPrefixesVenuesWouldRefuse) {
  const Timestamp t = Timestamp::from_ns(1);
  EXPECT_FALSE(ClientOrderIdGenerator::create("abcdefghijk", t));  // 11 characters
  EXPECT_FALSE(ClientOrderIdGenerator::create("pmm bot", t));
  EXPECT_FALSE(ClientOrderIdGenerator::create("pmm.1", t));
  EXPECT_FALSE(ClientOrderIdGenerator::create("pmm", Timestamp::none()));
  EXPECT_TRUE(ClientOrderIdGenerator::create("", t));
  EXPECT_FALSE(is_valid_client_order_id(""));
  EXPECT_FALSE(is_valid_client_order_id("a/b"));
}

}  // namespace
}  // namespace colibri::connector
