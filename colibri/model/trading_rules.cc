#include "colibri/model/trading_rules.h"

namespace colibri::model {

namespace {
int decimals_of(std::int64_t raw_step) noexcept {
  int decimals = 8;
  while (decimals > 0 && raw_step % 10 == 0) {
    raw_step /= 10;
    --decimals;
  }
  return decimals;
}
}  // namespace

Result<void> TradingRules::validate() const {
  if (symbol.empty() || base.empty() || quote.empty()) {
    return fail(ErrorCode::InvalidArgument, "trading rules: symbol, base and quote are required (got \"{}\", \"{}\", \"{}\")",
                symbol, base, quote);
  }
  if (!tick_size.is_positive()) return fail(ErrorCode::InvalidArgument, "{}: tick_size must be positive, got {}", symbol, tick_size);
  if (!lot_size.is_positive()) return fail(ErrorCode::InvalidArgument, "{}: lot_size must be positive, got {}", symbol, lot_size);
  if (min_quantity.is_negative()) return fail(ErrorCode::InvalidArgument, "{}: min_quantity must not be negative, got {}", symbol, min_quantity);
  if (!min_quantity.is_multiple_of(lot_size) && !min_quantity.is_zero()) {
    return fail(ErrorCode::InvalidArgument, "{}: min_quantity {} is not a multiple of lot_size {}", symbol, min_quantity, lot_size);
  }
  if (max_quantity < min_quantity) {
    return fail(ErrorCode::InvalidArgument, "{}: max_quantity {} is below min_quantity {}", symbol, max_quantity, min_quantity);
  }
  if (min_notional.is_negative()) return fail(ErrorCode::InvalidArgument, "{}: min_notional must not be negative", symbol);
  return {};
}

Price TradingRules::quantize_price(Price price, Side side) const {
  return price.round_to(tick_size, side == Side::Buy ? Rounding::Down : Rounding::Up);
}

Quantity TradingRules::quantize_quantity(Quantity quantity) const { return quantity.round_to(lot_size, Rounding::Down); }

Result<Price> TradingRules::quantize_price(double price, Side side) const {
  auto exact = Price::from_double(price);
  if (!exact) return tl::unexpected<Error>(std::move(exact.error()));
  return quantize_price(*exact, side);
}

Result<Quantity> TradingRules::quantize_quantity(double quantity) const {
  auto exact = Quantity::from_double(quantity);
  if (!exact) return tl::unexpected<Error>(std::move(exact.error()));
  return quantize_quantity(*exact);
}

Result<void> TradingRules::check_order(Price price, Quantity quantity) const {
  if (!price.is_positive() || !price.is_multiple_of(tick_size)) {
    return fail(ErrorCode::InvalidArgument, "{}: price {} is not a positive multiple of the tick size {}", symbol, price,
                tick_size);
  }
  if (!quantity.is_positive() || !quantity.is_multiple_of(lot_size)) {
    return fail(ErrorCode::InvalidArgument, "{}: quantity {} is not a positive multiple of the lot size {}", symbol,
                quantity, lot_size);
  }
  if (quantity < min_quantity) {
    return fail(ErrorCode::Rejected, "{}: quantity {} is below the minimum {}", symbol, quantity, min_quantity);
  }
  if (quantity > max_quantity) {
    return fail(ErrorCode::Rejected, "{}: quantity {} is above the maximum {}", symbol, quantity, max_quantity);
  }
  if (price * quantity < min_notional) {
    return fail(ErrorCode::Rejected, "{}: notional {} x {} = {} is below the minimum {}", symbol, price, quantity,
                price * quantity, min_notional);
  }
  return {};
}

int TradingRules::price_decimals() const noexcept { return decimals_of(tick_size.raw()); }
int TradingRules::quantity_decimals() const noexcept { return decimals_of(lot_size.raw()); }

}  // namespace colibri::model
