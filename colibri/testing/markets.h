#pragma once
// Test fixtures shared by the connector, simulator, strategy tests and benchmarks: a small
// BTCUSDT market whose numbers are easy to compute by hand, and an ETHUSDT one beside it (the
// multi-market tests). Header-only; users link colibri_model.

#include "colibri/model/trading_rules.h"

namespace colibri::testing {

// Tick 0.01, lot 0.001, minimum quantity 0.001, minimum notional 5 USDT.
inline model::TradingRules btcusdt_rules() {
  model::TradingRules rules;
  rules.symbol = "BTCUSDT";
  rules.base = "BTC";
  rules.quote = "USDT";
  rules.tick_size = Price::from_raw(1'000'000);
  rules.lot_size = Quantity::from_raw(100'000);
  rules.min_quantity = Quantity::from_raw(100'000);
  rules.min_notional = Notional::from_quantity(Quantity::from_int(5));
  return rules;
}

// Tick 0.01, lot 0.0001, minimum quantity 0.0001, minimum notional 5 USDT (Binance's ETHUSDT).
inline model::TradingRules ethusdt_rules() {
  model::TradingRules rules = btcusdt_rules();
  rules.symbol = "ETHUSDT";
  rules.base = "ETH";
  rules.lot_size = Quantity::from_raw(10'000);
  rules.min_quantity = Quantity::from_raw(10'000);
  return rules;
}

}  // namespace colibri::testing
