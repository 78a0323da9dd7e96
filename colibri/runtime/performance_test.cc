#include "colibri/runtime/performance.h"

#include <cmath>

#include <gtest/gtest.h>

namespace colibri::runtime {
namespace {

using namespace std::chrono_literals;

Price px(const char* text) { return *Price::parse(text); }
Quantity qty(const char* text) { return *Quantity::parse(text); }
Notional notional(const char* text) { return *Notional::parse(text); }
model::Asset asset(const char* code) { return model::Asset::truncating(code); }

model::OrderFilled fill(model::Side side, const char* price, const char* amount, const char* fee,
                        const char* fee_asset, model::Liquidity liquidity = model::Liquidity::Maker) {
  model::OrderFilled f;
  f.side = side;
  f.price = px(price);
  f.amount = qty(amount);
  f.fee = model::Fee{asset(fee_asset), qty(fee)};
  f.liquidity = liquidity;
  return f;
}

PerformanceTracker tracker(const char* base, const char* quote) {
  return PerformanceTracker(asset("BTC"), asset("USDT"), qty(base), qty(quote), 1s);
}

TEST(PerformanceTracker, SellingStartingInventoryRealizesAgainstTheFirstMid) {
  auto t = tracker("1", "0");
  (void)t.on_sample(px("100"), qty("1"), qty("0"));  // mid0 = 100: the base costs 100
  t.on_fill(fill(model::Side::Sell, "110", "0.5", "0.055", "USDT"), px("109"));
  const auto m = t.finish(px("110"), qty("0.5"), qty("54.945"));
  EXPECT_EQ(m.realized_pnl, notional("5"));     // (110 - 100) × 0.5
  EXPECT_EQ(m.unrealized_pnl, notional("5"));   // 0.5 × 110 - 50
  EXPECT_EQ(m.fees_quote, notional("0.055"));
  EXPECT_EQ(m.total_pnl, notional("9.945"));
  EXPECT_EQ(m.total_pnl, m.end_value - m.start_value);
  EXPECT_EQ(m.hold_value, notional("110"));
  EXPECT_NEAR(m.return_vs_hold_pct, 100.0 * (109.945 - 110) / 110, 1e-9);
  EXPECT_NEAR(m.hold_return_pct, 10.0, 1e-9);
  EXPECT_NEAR(m.return_pct, 9.945, 1e-9);
  EXPECT_NEAR(m.spread_captured_bps, 1e4 * (110.0 - 109) / 109, 1e-9);
}

TEST(PerformanceTracker, AFeeInBaseIsADisposalAtTheFillPrice) {
  auto t = tracker("1", "0");
  (void)t.on_sample(px("100"), qty("1"), qty("0"));
  // Buy 1 at 90, fee 0.001 BTC: the position averages 95, then 0.001 is disposed of at 90.
  t.on_fill(fill(model::Side::Buy, "90", "1", "0.001", "BTC"), px("90"));
  const auto m = t.finish(px("90"), qty("1.999"), qty("-90"));
  EXPECT_EQ(m.realized_pnl, notional("-0.005"));   // (90 - 95) × 0.001
  EXPECT_EQ(m.fees_quote, notional("0.09"));       // 0.001 × 90
  EXPECT_EQ(m.unrealized_pnl, notional("-9.995"));  // 1.999 × 90 - 189.905
  EXPECT_EQ(m.total_pnl, notional("-10.09"));
  EXPECT_EQ(m.total_pnl, m.end_value - m.start_value);
}

TEST(PerformanceTracker, ARoundTripRealizesTheSpreadAndCountsVolumeAndMakerShare) {
  auto t = tracker("0", "1000");
  (void)t.on_sample(px("100"), qty("0"), qty("1000"));
  t.on_order_created(qty("1"));
  t.on_order_created(qty("1"));
  t.on_order_created(qty("2"));
  t.on_fill(fill(model::Side::Buy, "99", "1", "0", "USDT"), px("100"));
  t.on_fill(fill(model::Side::Sell, "101", "1", "0", "USDT", model::Liquidity::Taker), px("100"));
  const auto m = t.finish(px("100"), qty("0"), qty("1002"));
  EXPECT_EQ(m.realized_pnl, notional("2"));
  EXPECT_EQ(m.unrealized_pnl, notional("0"));
  EXPECT_EQ(m.traded_volume_base, qty("2"));
  EXPECT_EQ(m.traded_volume_quote, notional("200"));
  EXPECT_EQ(m.fill_count, 2u);
  EXPECT_EQ(m.buy_fills, 1u);
  EXPECT_EQ(m.sell_fills, 1u);
  EXPECT_DOUBLE_EQ(m.maker_share, 0.5);
  EXPECT_DOUBLE_EQ(m.fill_ratio, 0.5);  // 2 of the 4 quoted
  EXPECT_NEAR(m.spread_captured_bps, 100.0, 1e-9);  // 1 % each side
}

TEST(PerformanceTracker, ShortPositionsRealizeWhenBoughtBack) {
  auto t = tracker("0", "1000");
  (void)t.on_sample(px("100"), qty("0"), qty("1000"));
  t.on_fill(fill(model::Side::Sell, "100", "2", "0", "USDT"), px("100"));
  t.on_fill(fill(model::Side::Buy, "90", "1", "0", "USDT"), px("90"));
  t.on_fill(fill(model::Side::Buy, "95", "2", "0", "USDT"), px("95"));  // closes 1, opens 1 long
  const auto m = t.finish(px("95"), qty("1"), qty("920"));
  EXPECT_EQ(m.realized_pnl, notional("15"));  // 10 on the first, 5 on the second
  EXPECT_EQ(m.unrealized_pnl, notional("0"));
  EXPECT_EQ(m.total_pnl, m.end_value - m.start_value);
}

TEST(PerformanceTracker, DrawdownIsMeasuredFromTheRunningPeak) {
  auto t = tracker("1", "0");
  EXPECT_DOUBLE_EQ(t.on_sample(px("100"), qty("1"), qty("0")).drawdown_pct, 0);
  EXPECT_DOUBLE_EQ(t.on_sample(px("120"), qty("1"), qty("0")).drawdown_pct, 0);
  const EquityPoint p = t.on_sample(px("90"), qty("1"), qty("0"));
  EXPECT_EQ(p.equity, notional("90"));
  EXPECT_DOUBLE_EQ(p.drawdown_pct, 25.0);
  (void)t.on_sample(px("110"), qty("1"), qty("0"));
  const auto m = t.finish(std::nullopt, qty("1"), qty("0"));
  EXPECT_EQ(m.max_drawdown_quote, notional("30"));
  EXPECT_DOUBLE_EQ(m.max_drawdown_pct, 25.0);
  EXPECT_EQ(m.end_value, notional("110"));  // marked at the last sampled mid
}

TEST(PerformanceTracker, SharpeAndSortinoAreAnnualizedFromTheSampleReturns) {
  auto t = tracker("1", "0");
  const char* mids[] = {"100", "101", "100", "102", "101"};
  for (const char* mid : mids) (void)t.on_sample(px(mid), qty("1"), qty("0"));
  const double r[] = {101.0 / 100 - 1, 100.0 / 101 - 1, 102.0 / 100 - 1, 101.0 / 102 - 1};
  double mean = 0;
  for (double x : r) mean += x / 4;
  double var = 0;
  double down = 0;
  for (double x : r) {
    var += (x - mean) * (x - mean) / 3;
    if (x < 0) down += x * x / 4;
  }
  const double annualize = std::sqrt(365.0 * 24 * 3600);
  const auto m = t.finish(std::nullopt, qty("1"), qty("0"));
  EXPECT_NEAR(m.sharpe, mean / std::sqrt(var) * annualize, 1e-6);
  EXPECT_NEAR(m.sortino, mean / std::sqrt(down) * annualize, 1e-6);
  EXPECT_EQ(m.ratio_interval, 1s);
}

TEST(PerformanceTracker, AdverseSelectionIsPositiveWhenTheMidMovesAgainstTheFill) {
  auto t = tracker("1", "1000");
  using H = PerformanceTracker::Horizon;
  t.on_mid_after_fill(H::OneSecond, model::Side::Buy, qty("1"), px("100"), px("99"));   // +100 bps
  t.on_mid_after_fill(H::OneSecond, model::Side::Sell, qty("3"), px("100"), px("99"));  // -100 bps
  t.on_mid_after_fill(H::TenSeconds, model::Side::Sell, qty("1"), px("100"), px("102"));  // +200 bps
  const auto m = t.finish(px("100"), qty("1"), qty("1000"));
  EXPECT_NEAR(m.adverse_selection_1s_bps, (100.0 - 300.0) / 4, 1e-9);
  EXPECT_NEAR(m.adverse_selection_10s_bps, 200.0, 1e-9);
  EXPECT_EQ(m.adverse_selection_1s_fills, 2u);
  EXPECT_EQ(m.adverse_selection_10s_fills, 1u);
}

TEST(PerformanceTracker, NoMidMeansNothingIsMarked) {
  auto t = tracker("1", "100");
  const EquityPoint p = t.on_sample(std::nullopt, qty("1"), qty("100"));
  EXPECT_TRUE(p.equity.is_zero());
  const auto m = t.finish(std::nullopt, qty("1"), qty("100"));
  EXPECT_TRUE(m.total_pnl.is_zero());
  EXPECT_EQ(m.return_pct, 0);
  EXPECT_EQ(m.sharpe, 0);
}

}  // namespace
}  // namespace colibri::runtime
