#include "colibri/model/order_book.h"

#include <map>
#include <random>

#include <gtest/gtest.h>

namespace colibri::model {
namespace {

Price P(const char* s) { return *Price::parse(s); }
Quantity Q(const char* s) { return *Quantity::parse(s); }

class OrderBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<PriceLevel> bids = {{P("100.00"), Q("1")}, {P("99.99"), Q("2")}, {P("99.50"), Q("3")}};
    const std::vector<PriceLevel> asks = {{P("100.01"), Q("1.5")}, {P("100.05"), Q("2.5")}, {P("101.00"), Q("4")}};
    ASSERT_TRUE(book_.apply_snapshot(bids, asks));
  }
  OrderBook book_;
};

TEST_F(OrderBookTest, SnapshotGivesTopOfBook) {
  EXPECT_EQ(book_.best_bid()->price, P("100.00"));
  EXPECT_EQ(book_.best_bid()->quantity, Q("1"));
  EXPECT_EQ(book_.best_ask()->price, P("100.01"));
  EXPECT_EQ(book_.mid_price()->to_string(), "100.005");
  EXPECT_EQ(book_.spread()->to_string(), "0.01");
  EXPECT_EQ(book_.level_count(BookSide::Bid), 3u);
  EXPECT_EQ(book_.level_count(BookSide::Ask), 3u);
  EXPECT_EQ(book_.tick_size(), P("0.01"));  // learnt as the common divisor of the prices
  EXPECT_FALSE(book_.is_crossed());
}

TEST_F(OrderBookTest, ZeroQuantityRemovesALevelAndAbsentRemovalIsHarmless) {
  ASSERT_TRUE(book_.apply_level(BookSide::Bid, {P("100.00"), Q("0")}));
  EXPECT_EQ(book_.best_bid()->price, P("99.99"));
  ASSERT_TRUE(book_.apply_level(BookSide::Bid, {P("98.00"), Q("0")}));  // absent
  EXPECT_EQ(book_.level_count(BookSide::Bid), 2u);
  ASSERT_TRUE(book_.apply_level(BookSide::Ask, {P("100.01"), Q("0")}));
  EXPECT_EQ(book_.best_ask()->price, P("100.05"));
  ASSERT_TRUE(book_.apply_level(BookSide::Ask, {P("100.02"), Q("0.7")}));
  EXPECT_EQ(book_.best_ask()->price, P("100.02"));
  EXPECT_EQ(book_.quantity_at(BookSide::Ask, P("100.02")), Q("0.7"));
}

TEST_F(OrderBookTest, IteratesFromBestOutwards) {
  std::vector<std::string> seen;
  book_.for_each_level(BookSide::Ask, [&](const PriceLevel& l) {
    seen.push_back(l.price.to_string() + "x" + l.quantity.to_string());
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"100.01x1.5", "100.05x2.5", "101x4"}));
  seen.clear();
  book_.for_each_level(BookSide::Bid, [&](const PriceLevel& l) {
    seen.push_back(l.price.to_string());
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"100", "99.99"}));
}

TEST_F(OrderBookTest, HummingbotQueriesMatchHandComputedValues) {
  // Buying 2 walks asks 100.01 x1.5 then 100.05 x0.5.
  auto r = book_.price_for_volume(Side::Buy, Q("2"));
  EXPECT_EQ(r.result_price, P("100.05"));
  EXPECT_EQ(r.result_volume, Q("2"));
  r = book_.vwap_for_volume(Side::Buy, Q("2"));
  // (1.5 * 100.01 + 0.5 * 100.05) / 2 = 100.02
  EXPECT_EQ(r.result_price, P("100.02"));
  EXPECT_EQ(r.result_quote_volume.to_string(), "200.04");
  // More than the book holds: no price, volume capped at what exists.
  r = book_.price_for_volume(Side::Sell, Q("10"));
  EXPECT_FALSE(r.result_price.has_value());
  EXPECT_EQ(r.result_volume, Q("6"));
  EXPECT_FALSE(book_.vwap_for_volume(Side::Sell, Q("10")).result_price.has_value());
  // Selling down to 99.99 takes bids 100.00 and 99.99.
  r = book_.volume_for_price(Side::Sell, P("99.99"));
  EXPECT_EQ(r.result_volume, Q("3"));
  EXPECT_EQ(r.result_price, P("99.99"));
  r = book_.quote_volume_for_price(Side::Buy, P("100.05"));
  EXPECT_EQ(r.result_quote_volume.to_string(), "400.14");  // 1.5*100.01 + 2.5*100.05
  EXPECT_EQ(r.result_price, P("100.05"));
  r = book_.volume_for_price(Side::Buy, P("100.00"));  // below the best ask: nothing
  EXPECT_TRUE(r.result_volume.is_zero());
  EXPECT_FALSE(r.result_price.has_value());
}

TEST_F(OrderBookTest, InvalidLevelsAreRejectedAndLeaveTheBookUnchanged) {
  auto r = book_.apply_level(BookSide::Bid, {P("-1"), Q("1")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message().find("non-positive price"), std::string::npos);
  r = book_.apply_level(BookSide::Ask, {P("100.10"), Q("-1")});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("negative quantity"), std::string::npos);
  EXPECT_EQ(book_.level_count(BookSide::Ask), 3u);
}

// The matching engine's bulk path: invalid levels are skipped and counted, the valid ones around
// them applied, on either side.
TEST_F(OrderBookTest, ApplyingASideSkipsAndCountsInvalidLevels) {
  const std::vector<PriceLevel> bids = {{P("99.98"), Q("5")}, {P("-1"), Q("1")}, {P("100.00"), Q("0")}};
  EXPECT_EQ(book_.apply_side_skipping_invalid(BookSide::Bid, bids), 1u);
  EXPECT_EQ(book_.quantity_at(BookSide::Bid, P("99.98")), Q("5"));
  EXPECT_EQ(book_.best_bid()->price, P("99.99"));  // 100.00 removed after the invalid level
  const std::vector<PriceLevel> asks = {{P("100.02"), Q("-1")}, {P("100.01"), Q("7")}, {P("100.03"), Q("-2")}};
  EXPECT_EQ(book_.apply_side_skipping_invalid(BookSide::Ask, asks), 2u);
  EXPECT_EQ(*book_.best_ask(), (PriceLevel{P("100.01"), Q("7")}));
  EXPECT_EQ(book_.level_count(BookSide::Ask), 3u);
  EXPECT_EQ(book_.apply_side_skipping_invalid(BookSide::Ask, {}), 0u);
}

TEST_F(OrderBookTest, CrossedBookIsReported) {
  ASSERT_TRUE(book_.apply_level(BookSide::Bid, {P("100.01"), Q("1")}));
  EXPECT_TRUE(book_.is_crossed());
}

TEST_F(OrderBookTest, FinerPriceReindexesOnTheCommonDivisor) {
  ASSERT_TRUE(book_.apply_level(BookSide::Bid, {P("99.995"), Q("7")}));
  EXPECT_EQ(book_.tick_size(), P("0.005"));
  EXPECT_EQ(book_.quantity_at(BookSide::Bid, P("99.995")), Q("7"));
  EXPECT_EQ(book_.best_bid()->price, P("100.00"));
  EXPECT_EQ(book_.level_count(BookSide::Bid), 4u);
  EXPECT_EQ(book_.best_ask()->price, P("100.01"));
}

TEST(TickDivider, DividesExactlyAcrossTheRange) {
  std::mt19937_64 rng(42);
  for (std::uint64_t d : {1ull, 2ull, 3ull, 7ull, 10ull, 1000000ull, 123456789ull, (1ull << 62) + 1}) {
    model::detail::TickDivider div(d);
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t n = rng() >> 1;  // [0, 2^63)
      bool exact = false;
      ASSERT_EQ(div.divide(n, exact), n / d) << n << " / " << d;
      ASSERT_EQ(exact, n % d == 0);
    }
    bool exact = false;
    ASSERT_EQ(div.divide(INT64_MAX, exact), static_cast<std::uint64_t>(INT64_MAX) / d);
  }
}

// Random level updates against a std::map reference, with a tiny window so that re-centring and
// the far-level map are exercised on every few updates.
TEST(OrderBook, MatchesAReferenceMapUnderRandomUpdates) {
  for (std::uint32_t window : {64u, 256u, 4096u}) {
    std::mt19937_64 rng(window);
    OrderBook book(Price::from_raw(1'000'000), window);  // tick 0.01
    std::map<std::int64_t, std::int64_t> bids;
    std::map<std::int64_t, std::int64_t> asks;
    std::int64_t mid = 6'000'000;  // in ticks
    for (int step = 0; step < 200'000; ++step) {
      if (step % 500 == 0) mid += static_cast<std::int64_t>(rng() % 2001) - 1000;  // jumps past the window
      const bool bid = (rng() & 1) != 0;
      const auto distance = static_cast<std::int64_t>(rng() % 100 < 90 ? rng() % 50 : rng() % 5000);
      const std::int64_t tick = bid ? mid - 1 - distance : mid + distance;
      const std::int64_t qty = rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng() % 1000 + 1);
      const PriceLevel level{Price::from_raw(tick * 1'000'000), Quantity::from_raw(qty)};
      auto& ref = bid ? bids : asks;
      if (qty == 0) ref.erase(tick); else ref[tick] = qty;
      ASSERT_TRUE(book.apply_level(bid ? BookSide::Bid : BookSide::Ask, level));
      if (step % 97 == 0 || step > 199'000) {
        ASSERT_EQ(book.level_count(BookSide::Bid), bids.size()) << "step " << step;
        ASSERT_EQ(book.level_count(BookSide::Ask), asks.size()) << "step " << step;
        if (!bids.empty()) {
          ASSERT_EQ(book.best_bid()->price.raw(), bids.rbegin()->first * 1'000'000);
        }
        if (!asks.empty()) {
          ASSERT_EQ(book.best_ask()->price.raw(), asks.begin()->first * 1'000'000);
        }
      }
    }
    // Full ordered comparison at the end.
    std::vector<std::pair<std::int64_t, std::int64_t>> got;
    book.for_each_level(BookSide::Bid, [&](const PriceLevel& l) {
      got.emplace_back(l.price.raw() / 1'000'000, l.quantity.raw());
      return true;
    });
    std::vector<std::pair<std::int64_t, std::int64_t>> want(bids.rbegin(), bids.rend());
    ASSERT_EQ(got, want) << "window " << window;
    got.clear();
    book.for_each_level(BookSide::Ask, [&](const PriceLevel& l) {
      got.emplace_back(l.price.raw() / 1'000'000, l.quantity.raw());
      return true;
    });
    want.assign(asks.begin(), asks.end());
    ASSERT_EQ(got, want) << "window " << window;
  }
}

TEST(OrderBook, EmptySidesHaveNoTopOfBook) {
  OrderBook book;
  EXPECT_FALSE(book.best_bid());
  EXPECT_FALSE(book.mid_price());
  EXPECT_FALSE(book.spread());
  EXPECT_FALSE(book.is_crossed());
  EXPECT_TRUE(book.quantity_at(BookSide::Bid, P("1")).is_zero());
  ASSERT_TRUE(book.apply_level(BookSide::Ask, {P("5"), Q("1")}));
  ASSERT_TRUE(book.apply_level(BookSide::Ask, {P("5"), Q("0")}));
  EXPECT_TRUE(book.empty(BookSide::Ask));
  ASSERT_TRUE(book.apply_level(BookSide::Ask, {P("3"), Q("2")}));
  EXPECT_EQ(book.best_ask()->price, P("3"));
}

}  // namespace
}  // namespace colibri::model
