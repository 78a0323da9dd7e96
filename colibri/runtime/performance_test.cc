#include "colibri/runtime/performance.h"

#include <array>
#include <cmath>
#include <optional>

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
  t.on_order_created(qty("1"), px("99"));
  t.on_order_created(qty("1"), px("101"));
  t.on_order_created(qty("2"), px("98"));
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

// Two markets sharing USDT: PnL per market on its own base, summed; equity marks both bases.
TEST(PerformanceTracker, APortfolioOfTwoMarketsAddsUpItsMarkets) {
  PerformanceTracker t(asset("USDT"), qty("1000"), {{asset("BTC"), qty("1")}, {asset("ETH"), qty("10")}}, 1s);
  const std::array<std::optional<Price>, 2> mids0 = {px("100"), px("10")};
  const std::array<Quantity, 2> bases0 = {qty("1"), qty("10")};
  const EquityPoint first = t.on_sample(mids0, bases0, qty("1000"));
  EXPECT_TRUE(first.marked);
  EXPECT_EQ(first.equity, notional("1200"));  // 1000 + 1 × 100 + 10 × 10
  const std::array<std::optional<Price>, 2> half = {px("100"), std::nullopt};
  EXPECT_FALSE(t.on_sample(half, bases0, qty("1000")).marked) << "a market without a mid marks nothing";

  t.on_order_created(0, qty("1"), px("110"));  // 110 USDT quoted on BTC
  t.on_order_created(1, qty("4"), px("9"));    // 36 USDT quoted on ETH
  auto btc_fill = fill(model::Side::Sell, "110", "0.5", "0.055", "USDT");
  auto eth_fill = fill(model::Side::Buy, "9", "2", "0.018", "USDT");
  t.on_fill(0, btc_fill, px("109"));
  t.on_fill(1, eth_fill, px("9.5"));

  const std::array<std::optional<Price>, 2> end_mids = {px("110"), px("9")};
  const std::array<Quantity, 2> end_bases = {qty("0.5"), qty("12")};
  const auto m = t.finish(end_mids, end_bases, qty("1036.927"));  // 1000 + 55 − 0.055 − 18 − 0.018
  const auto btc = t.market_metrics(0, px("110"));
  const auto eth = t.market_metrics(1, px("9"));
  EXPECT_EQ(btc.total_pnl, notional("9.945"));    // realized 5 + unrealized 5 − fees 0.055
  EXPECT_EQ(eth.unrealized_pnl, notional("-10"));  // 12 × 9 − (100 + 18)
  EXPECT_EQ(eth.total_pnl, notional("-10.018"));
  EXPECT_EQ(m.total_pnl, btc.total_pnl + eth.total_pnl);
  EXPECT_EQ(m.start_value, notional("1200"));
  EXPECT_EQ(m.end_value, notional("1199.927"));   // 1036.927 + 0.5 × 110 + 12 × 9
  EXPECT_EQ(m.total_pnl, m.end_value - m.start_value);
  EXPECT_EQ(m.hold_value, notional("1200"));      // 1000 + 1 × 110 + 10 × 9
  EXPECT_NEAR(m.return_vs_hold_pct, 100.0 * (1199.927 - 1200) / 1200, 1e-9);
  EXPECT_EQ(m.traded_volume_quote, notional("73"));
  EXPECT_EQ(m.traded_volume_base, Quantity()) << "BTC and ETH do not add up";
  EXPECT_EQ(btc.traded_volume_base, qty("0.5"));
  EXPECT_EQ(m.fill_count, 2u);
  EXPECT_DOUBLE_EQ(m.maker_share, 1.0);
  EXPECT_NEAR(m.fill_ratio, 0.5, 1e-12);  // (0.5 × 110 + 0.5 × 36) / 146
  // Spread captured: BTC (110 − 109)/109, ETH (9.5 − 9)/9.5, weighted by quote volume 55 and 18.
  EXPECT_NEAR(m.spread_captured_bps, 1e4 * ((1.0 / 109) * 55 + (0.5 / 9.5) * 18) / 73, 1e-6);
}

}  // namespace
}  // namespace colibri::runtime
