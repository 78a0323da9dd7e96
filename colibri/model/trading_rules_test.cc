#include "colibri/model/trading_rules.h"

#include <gtest/gtest.h>

namespace colibri::model {
namespace {

Price P(const char* s) { return *Price::parse(s); }
Quantity Q(const char* s) { return *Quantity::parse(s); }

TradingRules btcusdt() {
  TradingRules r;
  r.symbol = "BTCUSDT";
  r.base = "BTC";
  r.quote = "USDT";
  r.tick_size = P("0.01");
  r.lot_size = Q("0.00001");
  r.min_quantity = Q("0.00001");
  r.min_notional = *Notional::parse("5");
  return r;
}

TEST(TradingRules, BidsRoundDownAsksRoundUpSizesRoundDown) {
  const TradingRules r = btcusdt();
  EXPECT_EQ(r.quantize_price(P("61837.639"), Side::Buy), P("61837.63"));
  EXPECT_EQ(r.quantize_price(P("61837.631"), Side::Sell), P("61837.64"));
  EXPECT_EQ(r.quantize_price(P("61837.63"), Side::Sell), P("61837.63"));  // already on tick
  EXPECT_EQ(r.quantize_quantity(Q("0.12345678")), Q("0.12345"));
  EXPECT_EQ(*r.quantize_price(61837.639, Side::Buy), P("61837.63"));
  EXPECT_EQ(*r.quantize_price(61837.631, Side::Sell), P("61837.64"));
  EXPECT_EQ(*r.quantize_quantity(0.0000199), Q("0.00001"));  // nearest 1e-8 first, then down to the lot
  EXPECT_FALSE(r.quantize_price(std::nan(""), Side::Buy));
}

TEST(TradingRules, ChecksOrdersAgainstEveryRule) {
  const TradingRules r = btcusdt();
  EXPECT_TRUE(r.check_order(P("60000"), Q("0.001")));
  auto tick = r.check_order(P("60000.001"), Q("0.001"));
  ASSERT_FALSE(tick);
  EXPECT_NE(tick.error().message().find("tick size 0.01"), std::string::npos);
  EXPECT_FALSE(r.check_order(P("60000"), Q("0.0000105")));
  auto notional = r.check_order(P("60000"), Q("0.00008"));  // 4.8 USDT
  ASSERT_FALSE(notional);
  EXPECT_EQ(notional.error().code(), ErrorCode::Rejected);
  EXPECT_NE(notional.error().message().find("below the minimum 5"), std::string::npos) << notional.error().message();
}

TEST(TradingRules, ValidatesAndDerivesDecimals) {
  TradingRules r = btcusdt();
  EXPECT_TRUE(r.validate());
  EXPECT_EQ(r.price_decimals(), 2);
  EXPECT_EQ(r.quantity_decimals(), 5);
  r.tick_size = Price::zero();
  EXPECT_FALSE(r.validate());
  r = btcusdt();
  r.min_quantity = Q("0.000015");
  EXPECT_FALSE(r.validate());
}

}  // namespace
}  // namespace colibri::model
