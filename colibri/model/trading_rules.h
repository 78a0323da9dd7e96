#pragma once
// TradingRules: what a venue allows for one instrument (Hummingbot's TradingRule; Binance's
// PRICE_FILTER, LOT_SIZE and NOTIONAL filters), and the quantizing every order goes through
// before it exists (DESIGN.md decision 1):
//   bid prices round DOWN to the tick, ask prices round UP to the tick (a quote is never tighter
//   than configured — a deliberate difference from Hummingbot, which rounds both down), and
//   sizes round DOWN to the lot.
// Value type; immutable after construction by convention; safe to share between threads.

#include <cstdint>
#include <string>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/model/market_data.h"

namespace colibri::model {

struct TradingRules {
  std::string symbol;          // venue symbol, e.g. "BTCUSDT"
  std::string base;            // e.g. "BTC"
  std::string quote;           // e.g. "USDT"
  Price tick_size;             // price increment (> 0)
  Quantity lot_size;           // quantity increment (> 0)
  Quantity min_quantity;       // smallest order size (>= 0)
  Quantity max_quantity = Quantity::max();
  Notional min_notional;       // smallest price × quantity (>= 0)

  // InvalidArgument naming the field when a rule is impossible (non-positive tick or lot,
  // negative minimums, min_quantity not a multiple of lot_size, empty symbol/base/quote).
  [[nodiscard]] Result<void> validate() const;

  // Bid prices round down, ask prices round up, to a multiple of tick_size.
  [[nodiscard]] Price quantize_price(Price price, Side side) const;
  // Sizes round down to a multiple of lot_size.
  [[nodiscard]] Quantity quantize_quantity(Quantity quantity) const;
  // Strategy maths in double, quantized the same way. InvalidArgument for NaN, infinities, or
  // values out of range.
  [[nodiscard]] Result<Price> quantize_price(double price, Side side) const;
  [[nodiscard]] Result<Quantity> quantize_quantity(double quantity) const;

  // Checks an already-quantized order against the rules; the error names the rule and values
  // (InvalidArgument for tick/lot violations, Rejected for min/max size and min notional).
  [[nodiscard]] Result<void> check_order(Price price, Quantity quantity) const;

  // Decimal places implied by tick_size and lot_size ("0.01" -> 2): how prices and quantities
  // are written in requests to the venue.
  [[nodiscard]] int price_decimals() const noexcept;
  [[nodiscard]] int quantity_decimals() const noexcept;
};

}  // namespace colibri::model
