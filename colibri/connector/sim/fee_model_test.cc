#include "colibri/connector/sim/fee_model.h"

#include <gtest/gtest.h>

namespace colibri::connector::sim {
namespace {

FeeRate rate(const char* text) { return *FeeRate::parse(text); }
Quantity qs(const char* text) { return *Quantity::parse(text); }
Price ps(const char* text) { return *Price::parse(text); }

TEST(MakerTakerFees, RatesPerLiquidityAndValidation) {
  auto fees = MakerTakerFees::create(rate("0.0002"), rate("0.0004"));
  ASSERT_TRUE(fees);
  EXPECT_EQ(fees->rate(model::Liquidity::Maker), rate("0.0002"));
  EXPECT_EQ(fees->rate(model::Liquidity::Taker), rate("0.0004"));
  EXPECT_EQ(fees->fee_asset(), FeeAsset::Received);
  EXPECT_FALSE(MakerTakerFees::create(rate("-0.0001"), rate("0.001")));
  EXPECT_FALSE(MakerTakerFees::create(rate("0.001"), rate("1")));
}

TEST(FeeAsset, BinanceDefaultIsTheReceivedAsset) {
  EXPECT_TRUE(fee_in_base(FeeAsset::Received, model::Side::Buy));
  EXPECT_FALSE(fee_in_base(FeeAsset::Received, model::Side::Sell));
  EXPECT_TRUE(fee_in_base(FeeAsset::Base, model::Side::Sell));
  EXPECT_FALSE(fee_in_base(FeeAsset::Quote, model::Side::Buy));
}

TEST(FeeModel, FeesRoundUpToOneUnit) {
  EXPECT_EQ(*fee_on_base(qs("0.5"), rate("0.001")), qs("0.0005"));
  EXPECT_EQ(*fee_on_base(qs("0.00012345"), rate("0.001")), qs("0.00000013"));  // 0.00000012345 up
  EXPECT_EQ(*fee_on_base(qs("0.00000001"), rate("0.001")), qs("0.00000001"));
  EXPECT_EQ(*fee_on_base(qs("3"), rate("0")), qs("0"));
  // 61837.63 × 0.00123 = 76.0602849 quote; × 0.001 = 0.0760602849 -> 0.07606029.
  EXPECT_EQ(*fee_on_quote(ps("61837.63") * qs("0.00123"), rate("0.001")), qs("0.07606029"));
  EXPECT_EQ(*fee_on_quote(ps("100") * qs("2"), rate("0.001")), qs("0.2"));
}

}  // namespace
}  // namespace colibri::connector::sim
