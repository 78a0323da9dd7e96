#include "colibri/model/fees.h"

#include <gtest/gtest.h>

namespace colibri::model {
namespace {

Price P(const char* s) { return *Price::parse(s); }
Quantity Q(const char* s) { return *Quantity::parse(s); }
FeeRate fraction(const char* s) { return *FeeRate::parse_fraction(s); }
const Asset kBtc = Asset::truncating("BTC");
const Asset kUsdt = Asset::truncating("USDT");
const Asset kBnb = Asset::truncating("BNB");

FeeSchedule binance_spot(FeeAssetPolicy policy = FeeAssetPolicy::ReceivedAsset, Asset fee_asset = {}) {
  return *FeeSchedule::create(kBtc, kUsdt, fraction("0.001"), fraction("0.001"), policy, fee_asset);
}

TEST(FeeRate, FractionAndPercentMeanTheSameRate) {
  EXPECT_EQ(fraction("0.001").raw(), 100'000);
  EXPECT_EQ(*FeeRate::parse_percent("0.1"), fraction("0.001"));
  EXPECT_EQ(*FeeRate::parse_percent("0.075"), fraction("0.00075"));
  EXPECT_EQ(fraction("-0.0001").raw(), -10'000);  // a maker rebate
  EXPECT_EQ(fraction("0.00075").to_string(), "0.00075");
}

TEST(FeeRate, RefusesRatesItCannotHoldExactly) {
  EXPECT_FALSE(FeeRate::parse_percent("0.0000001"));  // 1e-9 as a fraction
  EXPECT_FALSE(FeeRate::parse_fraction("1"));
  EXPECT_FALSE(FeeRate::parse_fraction("-1.5"));
  EXPECT_FALSE(FeeRate::parse_fraction("abc"));
  EXPECT_FALSE(FeeRate::parse_percent("100"));
}

TEST(FeeSchedule, BinanceSpotChargesTheReceivedAsset) {
  const FeeSchedule fees = binance_spot();
  // Buy 0.5 BTC: receives BTC, pays 0.1 % of it in BTC.
  EXPECT_EQ(*fees.fee_for(Side::Buy, P("60000"), Q("0.5"), Liquidity::Maker), (Fee{kBtc, Q("0.0005")}));
  // Sell 0.5 BTC at 60000: receives 30000 USDT, pays 30 USDT.
  EXPECT_EQ(*fees.fee_for(Side::Sell, P("60000"), Q("0.5"), Liquidity::Taker), (Fee{kUsdt, Q("30")}));
}

TEST(FeeSchedule, QuotePolicyChargesQuoteOnBothSides) {
  const FeeSchedule fees =
      *FeeSchedule::create(kBtc, kUsdt, fraction("0.0002"), fraction("0.0005"), FeeAssetPolicy::QuoteAsset);
  EXPECT_EQ(*fees.fee_for(Side::Buy, P("60000"), Q("0.5"), Liquidity::Maker), (Fee{kUsdt, Q("6")}));
  EXPECT_EQ(*fees.fee_for(Side::Buy, P("60000"), Q("0.5"), Liquidity::Taker), (Fee{kUsdt, Q("15")}));
}

TEST(FeeSchedule, NamedAssetConvertsAtTheCallersPrice) {
  const FeeSchedule fees = binance_spot(FeeAssetPolicy::NamedAsset, kBnb);
  // 30000 USDT traded, 0.1 % = 30 USDT, at 600 USDT/BNB = 0.05 BNB.
  EXPECT_EQ(*fees.fee_for(Side::Buy, P("60000"), Q("0.5"), Liquidity::Maker, P("600")),
            (Fee{kBnb, Q("0.05")}));
  auto missing = fees.fee_for(Side::Buy, P("60000"), Q("0.5"), Liquidity::Maker);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::InvalidArgument);
  EXPECT_FALSE(
      FeeSchedule::create(kBtc, kUsdt, fraction("0.001"), fraction("0.001"), FeeAssetPolicy::NamedAsset));
}

TEST(FeeSchedule, FeesRoundUpSoTheyAreNeverUnderCharged) {
  const FeeSchedule fees = binance_spot();
  // 0.00000123 BTC × 0.001 = 0.00000000123 -> 0.00000001 (up), not 0.
  EXPECT_EQ(fees.fee_for(Side::Buy, P("60000"), Q("0.00000123"), Liquidity::Maker)->amount, Q("0.00000001"));
  // 0.33333333 × 1.00000001 × 0.001 USDT = 0.000333333336... -> 0.00033334.
  EXPECT_EQ(fees.fee_for(Side::Sell, P("1.00000001"), Q("0.33333333"), Liquidity::Maker)->amount,
            Q("0.00033334"));
  // Exact fees stay exact.
  EXPECT_EQ(fees.fee_for(Side::Sell, P("100"), Q("1"), Liquidity::Maker)->amount, Q("0.1"));
}

TEST(FeeSchedule, RebatesRoundTowardZeroCredit) {
  const FeeSchedule fees =
      *FeeSchedule::create(kBtc, kUsdt, fraction("-0.0001"), fraction("0.0004"), FeeAssetPolicy::QuoteAsset);
  // -0.0001 × 0.33333333 USDT = -0.000033333333 -> -0.00003333 (up, toward +infinity).
  EXPECT_EQ(fees.fee_for(Side::Buy, P("1"), Q("0.33333333"), Liquidity::Maker)->amount, Q("-0.00003333"));
}

TEST(FeeRate, FeeOnABaseOrQuoteAmountRoundsUpToOneUnit) {
  const FeeRate rate = fraction("0.001");
  const auto base = [](const char* q) { return Notional::from_quantity(Q(q)); };
  EXPECT_EQ(*rate.fee_on(base("0.5")), Q("0.0005"));
  EXPECT_EQ(*rate.fee_on(base("0.00012345")), Q("0.00000013"));  // 0.00000012345 up
  EXPECT_EQ(*rate.fee_on(base("0.00000001")), Q("0.00000001"));
  EXPECT_EQ(*fraction("0").fee_on(base("3")), Q("0"));
  // 61837.63 × 0.00123 = 76.0602849 quote; × 0.001 = 0.0760602849 -> 0.07606029.
  EXPECT_EQ(*rate.fee_on(P("61837.63") * Q("0.00123")), Q("0.07606029"));
  EXPECT_EQ(*rate.fee_on(P("100") * Q("2")), Q("0.2"));
  // One unit of 1e-16 at 50 % is still a whole unit of fee.
  EXPECT_EQ(*fraction("0.5").fee_on(Notional::from_raw(1)), Q("0.00000001"));
  // A rebate rounds toward +infinity: less credit.
  EXPECT_EQ(*fraction("-0.0001").fee_on(P("1") * Q("0.33333333")), Q("-0.00003333"));
  auto huge = fraction("0.99").fee_on(Price::max() * Quantity::max());
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code(), ErrorCode::OutOfRange);
}

TEST(FeeSchedule, FeeAssetForEachSideFollowsThePolicy) {
  EXPECT_EQ(binance_spot().fee_asset_for(Side::Buy), kBtc);  // received
  EXPECT_EQ(binance_spot().fee_asset_for(Side::Sell), kUsdt);
  EXPECT_EQ(binance_spot(FeeAssetPolicy::QuoteAsset).fee_asset_for(Side::Buy), kUsdt);
  EXPECT_EQ(binance_spot(FeeAssetPolicy::QuoteAsset).fee_asset_for(Side::Sell), kUsdt);
  EXPECT_EQ(binance_spot(FeeAssetPolicy::NamedAsset, kBnb).fee_asset_for(Side::Buy), kBnb);
  const FeeSchedule fees = binance_spot();
  EXPECT_EQ(fees.rate(Liquidity::Maker), fees.maker());
  EXPECT_EQ(fees.rate(Liquidity::Taker), fees.taker());
}

TEST(FeeSchedule, TradeFeesAddFlatFeesByAsset) {
  FeeSchedule fees = binance_spot();
  fees.add_flat_fee(Fee{kUsdt, Q("0.5")});
  fees.add_flat_fee(Fee{kBnb, Q("0.001")});
  auto totals = fees.trade_fees(Side::Sell, P("100"), Q("1"), Liquidity::Maker);
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->amount_of(kUsdt), Q("0.6"));
  EXPECT_EQ(totals->amount_of(kBnb), Q("0.001"));
  EXPECT_EQ(totals->fees().size(), 2u);
}

TEST(FeeSchedule, RefusesNegativeInputsAndOverflow) {
  const FeeSchedule fees = binance_spot();
  EXPECT_FALSE(fees.fee_for(Side::Sell, P("-1"), Q("1"), Liquidity::Maker));
  // A million BTC at a million USDT: 10^12 USDT traded, 10^9 USDT fee, computed exactly.
  EXPECT_EQ(fees.fee_for(Side::Sell, P("1000000"), Q("1000000"), Liquidity::Maker)->amount, Q("1000000000"));
  const FeeSchedule steep =
      *FeeSchedule::create(kBtc, kUsdt, fraction("0.99"), fraction("0.99"), FeeAssetPolicy::QuoteAsset);
  auto huge = steep.fee_for(Side::Sell, Price::max(), Quantity::max(), Liquidity::Maker);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code(), ErrorCode::OutOfRange);
}

TEST(FeeTotals, SumsByAssetInlineUpToCapacity) {
  FeeTotals t;
  ASSERT_TRUE(t.add(Fee{kBtc, Q("0.1")}));
  ASSERT_TRUE(t.add(Fee{kBtc, Q("0.2")}));
  ASSERT_TRUE(t.add(Fee{}));  // no fee at all
  EXPECT_EQ(t.amount_of(kBtc), Q("0.3"));
  EXPECT_EQ(t.amount_of(kUsdt), Q("0"));
  ASSERT_TRUE(t.add(Fee{kUsdt, Q("1")}));
  ASSERT_TRUE(t.add(Fee{kBnb, Q("1")}));
  ASSERT_TRUE(t.add(Fee{Asset::truncating("ETH"), Q("1")}));
  const FeeTotals before = t;
  auto fifth = t.add(Fee{Asset::truncating("SOL"), Q("1")});
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().code(), ErrorCode::OutOfRange);
  EXPECT_EQ(t, before);
  EXPECT_FALSE(t.add(Fee{Asset(), Q("1")}));
}

}  // namespace
}  // namespace colibri::model
