#include "colibri/strategy/pure_market_making.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace colibri::strategy {
namespace {

// Percent parameters become exact fractions in units of 10^-10: 1 % = 10^8 units.
constexpr std::int64_t kFractionOne = 10'000'000'000;

std::int64_t percent_to_fraction(double percent) noexcept { return std::llround(percent * 1e8); }

// ref × factor / 10^10, rounded down (bids) or up (asks); empty when not a positive Price.
std::optional<Price> scale_price(Price reference, std::int64_t factor, Rounding rounding) {
  if (factor <= 0) return std::nullopt;
  const Int128 product = static_cast<Int128>(reference.raw()) * factor;
  Int128 q = product / kFractionOne;
  if (rounding == Rounding::Up && q * kFractionOne < product) ++q;
  if (q <= 0 || q > std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return Price::from_raw(static_cast<std::int64_t>(q));
}

// |a − b| / b > fraction, exactly (b > 0).
bool moved_more_than(Price a, Price b, std::int64_t fraction) {
  const Int128 diff = static_cast<Int128>(a.raw()) - b.raw();
  const Int128 abs_diff = diff < 0 ? -diff : diff;
  return abs_diff * kFractionOne > static_cast<Int128>(fraction) * b.raw();
}

// Linear interpolation clamped at the ends (numpy.interp for two points).
double interp(double x, double x0, double x1, double y0, double y1) noexcept {
  if (x <= x0) return y0;
  if (x >= x1) return y1;
  return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
}

// Hummingbot's budget constraint adds the percentage fee of a LIMIT buy on top of its cost,
// whatever asset the venue actually charges it in: a schedule with the connector's rates and the
// QuoteAsset policy (fee on top, in quote) reproduces that. The rate is read from the connector's
// fee estimate of a 1 × 1 fill (which is the rate itself, exactly, under every fee asset policy).
Result<connector::BudgetChecker> make_budget_checker(const connector::Connector& c,
                                                     const model::Symbol& symbol) {
  const model::TradingRules* rules = c.trading_rules(symbol);
  if (rules == nullptr) return fail(ErrorCode::NotFound, "no trading rules for {}", symbol);
  const auto rate_of = [&](model::Liquidity liquidity) {
    const model::Fee fee =
        c.estimate_fee(symbol, model::Side::Buy, Price::from_int(1), Quantity::from_int(1), liquidity);
    return model::FeeRate::from_raw(std::max<std::int64_t>(fee.amount.raw(), 0));  // no rebates here
  };
  auto schedule = model::FeeSchedule::create(model::Asset::truncating(rules->base), model::Asset::truncating(rules->quote),
                                             rate_of(model::Liquidity::Maker), rate_of(model::Liquidity::Taker),
                                             model::FeeAssetPolicy::QuoteAsset);
  if (!schedule) return tl::unexpected<Error>(std::move(schedule.error()));
  return connector::BudgetChecker::create(std::move(*schedule));
}

Result<void> check_range(std::string_view key, double value, double low, double high, bool inclusive) {
  const bool ok =
      std::isfinite(value) && (inclusive ? value >= low && value <= high : value > low && value < high);
  if (ok) return {};
  return fail(ErrorCode::InvalidArgument, "{} must be a number in {}{}, {}{} (percent: 1 means 1 %); got {}",
              key, inclusive ? "[" : "(", low, high, inclusive ? "]" : ")", value);
}

Result<void> check_positive(std::string_view key, Duration value) {
  if (value > Duration::zero()) return {};
  return fail(ErrorCode::InvalidArgument, "{} must be a duration > 0 seconds; got {} s", key,
              std::chrono::duration<double>(value).count());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parameters

std::string_view to_string(PriceType type) noexcept {
  switch (type) {
    case PriceType::MidPrice:
      return "mid_price";
    case PriceType::LastPrice:
      return "last_price";
    case PriceType::LastOwnTradePrice:
      return "last_own_trade_price";
    case PriceType::BestBid:
      return "best_bid";
    case PriceType::BestAsk:
      return "best_ask";
    case PriceType::InventoryCost:
      return "inventory_cost";
  }
  return "?";
}

Result<PriceType> parse_price_type(std::string_view text) {
  for (PriceType t : {PriceType::MidPrice, PriceType::LastPrice, PriceType::LastOwnTradePrice,
                      PriceType::BestBid, PriceType::BestAsk, PriceType::InventoryCost}) {
    if (text == to_string(t)) return t;
  }
  return fail(ErrorCode::InvalidArgument,
              "price_type must be one of mid_price, last_price, last_own_trade_price, best_bid, best_ask, "
              "inventory_cost; got \"{}\"",
              text);
}

Result<void> PureMarketMakingConfig::validate() const {
  if (auto ok = check_range("bid_spread", bid_spread, 0, 100, false); !ok) return ok;
  if (auto ok = check_range("ask_spread", ask_spread, 0, 100, false); !ok) return ok;
  if (!order_amount.is_positive()) {
    return fail(ErrorCode::InvalidArgument, "order_amount must be > 0 (base asset); got {}", order_amount);
  }
  if (order_levels < 0) {
    return fail(ErrorCode::InvalidArgument, "order_levels must be an integer >= 0; got {}", order_levels);
  }
  if (auto ok = check_range("order_level_spread", order_level_spread, 0, 100, false); !ok) return ok;
  if (auto ok = check_positive("order_refresh_time", order_refresh_time); !ok) return ok;
  if (auto ok = check_range("order_refresh_tolerance_pct", order_refresh_tolerance_pct, -10, 10, true); !ok) {
    return ok;
  }
  if (auto ok = check_positive("max_order_age", max_order_age); !ok) return ok;
  if (auto ok = check_positive("filled_order_delay", filled_order_delay); !ok) return ok;
  if (auto ok = check_range("inventory_target_base_pct", inventory_target_base_pct, 0, 100, true); !ok)
    return ok;
  if (!std::isfinite(inventory_range_multiplier) || inventory_range_multiplier <= 0) {
    return fail(ErrorCode::InvalidArgument, "inventory_range_multiplier must be a number > 0; got {}",
                inventory_range_multiplier);
  }
  if (auto ok = check_range("minimum_spread", minimum_spread, -100, 100, true); !ok) return ok;
  if (auto ok = parse_price_type(price_type); !ok) return fail(std::move(ok.error()));
  return {};
}

// ---------------------------------------------------------------------------------------------
// Inventory skew (inventory_skew_calculator.pyx)

double total_order_size(double order_amount, double order_level_amount, int order_levels) noexcept {
  const double levels = order_levels;
  return 2.0 * (levels * order_amount + levels * (levels - 1.0) / 2.0 * order_level_amount);
}

InventorySkewRatios inventory_skew_ratios(double base_amount, double quote_amount, double price,
                                          double target_base_ratio, double base_asset_range) noexcept {
  const double total_value = base_amount * price + quote_amount;
  if (total_value <= 0.0 || base_asset_range <= 0.0) return {0.0, 0.0};
  const double base_value = base_amount * price;
  const double target_value = total_value * target_base_ratio;
  const double left_limit = std::max(target_value - base_asset_range * price, 0.0);
  const double right_limit = target_value + base_asset_range * price;
  const double left_ratio = interp(base_value, left_limit, target_value, 0.0, 0.5);
  const double right_ratio = interp(base_value, target_value, right_limit, 0.5, 1.0);
  const double bid = base_value < target_value ? interp(left_ratio, 0.0, 0.5, 2.0, 1.0)
                                               : interp(right_ratio, 0.5, 1.0, 1.0, 0.0);
  return {bid, 2.0 - bid};
}

// ---------------------------------------------------------------------------------------------
// Strategy

PureMarketMaking::PureMarketMaking(StrategyContext context, MarketTradingPair market,
                                   PureMarketMakingConfig config)
    : Strategy(std::move(context)), market_(std::move(market)), config_(std::move(config)) {
  if (auto ok = config_.validate(); !ok) throw StartupError(std::move(ok.error()));
  const auto& connectors = this->context().connectors;
  if (market_.connector == nullptr ||
      std::find(connectors.begin(), connectors.end(), market_.connector) == connectors.end()) {
    throw StartupError(
        Error(ErrorCode::InvalidArgument,
              fmt::format("strategy {}: the market's connector is not one of the context's", name())));
  }
  price_type_ = *parse_price_type(config_.price_type);
  order_type_ = config_.take_if_crossed ? model::OrderType::Limit : model::OrderType::LimitMaker;
  bid_spread_ = percent_to_fraction(config_.bid_spread);
  ask_spread_ = percent_to_fraction(config_.ask_spread);
  order_level_spread_ = percent_to_fraction(config_.order_level_spread);
  refresh_tolerance_ = percent_to_fraction(config_.order_refresh_tolerance_pct);
  minimum_spread_ = percent_to_fraction(config_.minimum_spread);
  const auto levels = static_cast<std::size_t>(config_.order_levels);
  proposal_.buys.reserve(levels);
  proposal_.sells.reserve(levels);
  candidates_.reserve(2 * levels);
}

std::optional<Price> PureMarketMaking::reference_price() const {
  const model::OrderBook* book = market_.connector->order_book(market_.symbol);
  if (book == nullptr) return std::nullopt;
  const std::optional<Price> mid = book->mid_price();
  std::optional<Price> price;
  switch (price_type_) {
    case PriceType::MidPrice:
    case PriceType::InventoryCost:
      price = mid;
      break;
    case PriceType::LastPrice:
      price = last_trade_price_;
      break;
    case PriceType::LastOwnTradePrice:
      price = last_own_trade_price_;
      break;
    case PriceType::BestBid:
      if (auto best = book->best_bid()) price = best->price;
      break;
    case PriceType::BestAsk:
      if (auto best = book->best_ask()) price = best->price;
      break;
  }
  return price ? price : mid;
}

std::optional<Price> PureMarketMaking::inventory_cost_price() const {
  if (!inventory_base_.is_positive() || !inventory_quote_.raw()) return std::nullopt;
  const Int128 base = inventory_base_.raw();
  const Int128 raw = (inventory_quote_.raw() + base / 2) / base;  // 10^-16 / 10^-8 = 10^-8 units
  if (raw <= 0 || raw > std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return Price::from_raw(static_cast<std::int64_t>(raw));
}

std::vector<const model::InFlightOrder*> PureMarketMaking::active_orders() const {
  std::vector<const model::InFlightOrder*> out;
  append_active_orders(out);
  return out;
}

void PureMarketMaking::read_active_orders() {
  active_.clear();
  append_active_orders(active_);
}

const std::vector<const model::InFlightOrder*>& PureMarketMaking::still_active() const {
  std::erase_if(active_, [](const model::InFlightOrder* o) { return !o->is_live(); });
  return active_;
}

void PureMarketMaking::append_active_orders(std::vector<const model::InFlightOrder*>& out) const {
  for (const OwnOrder& own : own_orders_) {
    const model::InFlightOrder* o = market_.connector->order(own.id);
    if (o != nullptr && o->is_live()) out.push_back(o);
  }
}

void PureMarketMaking::on_tick(Timestamp now) {
  has_proposal_ = false;
  connector::Connector& c = *market_.connector;
  if (!c.ready()) return;
  const model::TradingRules* rules = c.trading_rules(market_.symbol);
  const model::OrderBook* book = c.order_book(market_.symbol);
  if (rules == nullptr || book == nullptr) return;
  const std::optional<Price> price = reference_price();
  if (!price || !price->is_positive()) return;
  if (!budget_) {
    auto checker = make_budget_checker(c, market_.symbol);
    if (!checker) {
      log(LogLevel::Error, "cannot build the budget checker: {}", checker.error().describe());
      return;
    }
    budget_.emplace(std::move(*checker));
  }
  read_active_orders();

  if (create_timestamp_ <= now) {
    create_base_proposal(*rules, *price);  // 1.
    // 2. Level modifiers (price band, moving price band, ping-pong): not implemented.
    // 3. Price modifiers (order optimization, transaction costs): out of scope.
    if (config_.inventory_skew_enabled) apply_inventory_skew(*rules, *price);  // 4.
    apply_budget_constraint(*rules);                                           // 5.
    if (!config_.take_if_crossed) filter_out_takers(*book);
    has_proposal_ = true;
  }
  cancel_active_orders_on_max_age_limit(now);
  cancel_active_orders(now);
  cancel_orders_below_min_spread(*price);
  if (to_create_orders(now)) execute_orders_proposal(now);
}

void PureMarketMaking::create_base_proposal(const model::TradingRules& rules, Price price) {
  proposal_.buys.clear();
  proposal_.sells.clear();
  Price sell_reference = price;
  if (price_type_ == PriceType::InventoryCost) {
    // Only asks are limited: never sell below what the inventory cost. Buys are always allowed.
    if (const auto cost = inventory_cost_price()) sell_reference = std::max(*cost, price);
  }
  for (int level = 0; level < config_.order_levels; ++level) {
    const Quantity size = rules.quantize_quantity(config_.order_amount + config_.order_level_amount * level);
    if (!size.is_positive()) continue;
    const auto bid =
        scale_price(price, kFractionOne - bid_spread_ - level * order_level_spread_, Rounding::Down);
    if (bid) {
      const Price quantized = rules.quantize_price(*bid, model::Side::Buy);
      if (quantized.is_positive()) proposal_.buys.push_back({quantized, size});
    }
    const auto ask =
        scale_price(sell_reference, kFractionOne + ask_spread_ + level * order_level_spread_, Rounding::Up);
    if (ask) proposal_.sells.push_back({rules.quantize_price(*ask, model::Side::Sell), size});
  }
}

void PureMarketMaking::adjusted_available_balance(const model::TradingRules& rules, Quantity& base,
                                                  Quantity& quote) const {
  const connector::Connector& c = *market_.connector;
  base = c.available_balance(model::Asset::truncating(rules.base));
  quote = c.available_balance(model::Asset::truncating(rules.quote));
  for (const model::InFlightOrder* o : still_active()) {
    if (o->side() == model::Side::Buy) {
      quote += (o->price() * o->remaining()).to_quantity(Rounding::Down).value_or(Quantity::zero());
    } else {
      base += o->remaining();
    }
  }
}

void PureMarketMaking::apply_inventory_skew(const model::TradingRules& rules, Price price) {
  Quantity base;
  Quantity quote;
  adjusted_available_balance(rules, base, quote);
  const double order_size = total_order_size(config_.order_amount.to_double(),
                                             config_.order_level_amount.to_double(), config_.order_levels);
  const InventorySkewRatios ratios = inventory_skew_ratios(
      base.to_double(), quote.to_double(), price.to_double(), config_.inventory_target_base_pct / 100.0,
      order_size * config_.inventory_range_multiplier);
  // The skewed size to the nearest 10^-8 first, so that binary noise (0.95 held as 0.9499999...)
  // cannot lose a whole lot when it is rounded down.
  const auto skew = [&](Quantity size, double ratio) {
    const double scaled = std::round(static_cast<double>(size.raw()) * ratio);
    if (!(scaled > 0) || scaled >= 9.2e18) return Quantity::zero();
    return rules.quantize_quantity(Quantity::from_raw(static_cast<std::int64_t>(scaled)));
  };
  for (PriceSize& buy : proposal_.buys) buy.size = skew(buy.size, ratios.bid_ratio);
  for (PriceSize& sell : proposal_.sells) sell.size = skew(sell.size, ratios.ask_ratio);
}

void PureMarketMaking::apply_budget_constraint(const model::TradingRules& rules) {
  Quantity base;
  Quantity quote;
  adjusted_available_balance(rules, base, quote);
  const connector::Connector& c = *market_.connector;
  const auto set = [&](const std::string& asset_name, Quantity available) {
    const model::Asset asset = model::Asset::truncating(asset_name);
    const Quantity total = std::max(c.total_balance(asset), available);
    return budget_->set_balance(model::Balance{asset, total, available});
  };
  candidates_.clear();
  for (const PriceSize& buy : proposal_.buys) {
    candidates_.push_back({.side = model::Side::Buy,
                           .type = model::OrderType::Limit,
                           .price = buy.price,
                           .quantity = buy.size});
  }
  for (const PriceSize& sell : proposal_.sells) {
    candidates_.push_back({.side = model::Side::Sell,
                           .type = model::OrderType::Limit,
                           .price = sell.price,
                           .quantity = sell.size});
  }
  budget_->clear_open_orders();  // the adjusted balance already frees what our active orders lock
  if (auto ok = set(rules.base, base).and_then([&] { return set(rules.quote, quote); }).and_then([&] {
        return budget_->adjust(rules, candidates_, connector::BudgetMode::ShrinkToFit);
      });
      !ok) {
    log(LogLevel::Error, "budget constraint failed, placing nothing: {}", ok.error().describe());
    proposal_.buys.clear();
    proposal_.sells.clear();
    return;
  }
  const std::size_t buys = proposal_.buys.size();
  for (std::size_t i = 0; i < candidates_.size(); ++i) {
    PriceSize& order = i < buys ? proposal_.buys[i] : proposal_.sells[i - buys];
    order.size = candidates_[i].quantity;
  }
  const auto empty = [](const PriceSize& o) { return !o.size.is_positive(); };
  std::erase_if(proposal_.buys, empty);
  std::erase_if(proposal_.sells, empty);
}

void PureMarketMaking::filter_out_takers(const model::OrderBook& book) {
  if (const auto ask = book.best_ask()) {
    std::erase_if(proposal_.buys, [&](const PriceSize& o) { return o.price >= ask->price; });
  }
  if (const auto bid = book.best_bid()) {
    std::erase_if(proposal_.sells, [&](const PriceSize& o) { return o.price <= bid->price; });
  }
}

void PureMarketMaking::cancel(const model::InFlightOrder& order) {
  if (order.state() == model::OrderState::PendingCancel) return;
  if (auto ok = market_.connector->cancel(market_.symbol, order.client_order_id()); !ok) {
    log(LogLevel::Warn, "cancel of {} refused: {}", order.client_order_id(), ok.error().describe());
  }
}

void PureMarketMaking::cancel_active_orders_on_max_age_limit(Timestamp now) {
  const auto& active = still_active();
  const bool aged = std::any_of(active.begin(), active.end(), [&](const model::InFlightOrder* o) {
    return now - o->created_at() > config_.max_order_age;
  });
  if (!aged) return;
  for (const model::InFlightOrder* o : active) {
    if (o->state() != model::OrderState::PendingCancel) ++stats_.cancelled_for_age;
    cancel(*o);
  }
}

bool PureMarketMaking::within_tolerance(std::vector<Price>& current, std::vector<Price>& proposed) const {
  if (current.size() != proposed.size()) return false;
  std::sort(current.begin(), current.end());
  std::sort(proposed.begin(), proposed.end());
  for (std::size_t i = 0; i < current.size(); ++i) {
    if (moved_more_than(proposed[i], current[i], refresh_tolerance_)) return false;
  }
  return true;
}

void PureMarketMaking::cancel_active_orders(Timestamp now) {
  if (cancel_timestamp_ > now) return;
  const auto& active = still_active();
  if (active.empty()) return;
  if (has_proposal_ && refresh_tolerance_ >= 0) {
    bool within = true;
    for (const model::Side side : {model::Side::Buy, model::Side::Sell}) {
      current_prices_.clear();
      proposed_prices_.clear();
      for (const model::InFlightOrder* o : active) {
        if (o->side() == side) current_prices_.push_back(o->price());
      }
      for (const PriceSize& p : side == model::Side::Buy ? proposal_.buys : proposal_.sells) {
        proposed_prices_.push_back(p.price);
      }
      within = within && within_tolerance(current_prices_, proposed_prices_);
    }
    if (within) return;  // keep them; checked again on the next tick
  }
  for (const model::InFlightOrder* o : active) {
    if (o->state() != model::OrderState::PendingCancel) ++stats_.cancelled_for_refresh;
    cancel(*o);
  }
}

void PureMarketMaking::cancel_orders_below_min_spread(Price price) {
  for (const model::InFlightOrder* o : still_active()) {
    // Spread of the order from the price, positive away from it: (price − bid) or (ask − price).
    const Int128 away = o->side() == model::Side::Buy ? static_cast<Int128>(price.raw()) - o->price().raw()
                                                      : static_cast<Int128>(o->price().raw()) - price.raw();
    if (away * kFractionOne < static_cast<Int128>(minimum_spread_) * price.raw() &&
        o->state() != model::OrderState::PendingCancel) {
      log(LogLevel::Info, "order {} ({} at {}) is below the minimum spread of {} %: cancelling",
          o->client_order_id(), model::to_string(o->side()), o->price(), config_.minimum_spread);
      ++stats_.cancelled_below_min_spread;
      cancel(*o);
    }
  }
}

bool PureMarketMaking::to_create_orders(Timestamp now) const {
  return create_timestamp_ < now && has_proposal_ && still_active().empty();
}

void PureMarketMaking::execute_orders_proposal(Timestamp now) {
  connector::Connector& c = *market_.connector;
  bool orders_created = false;
  const auto place = [&](model::Side side, const PriceSize& order) {
    orders_created = true;
    auto id = side == model::Side::Buy ? c.buy(market_.symbol, order.size, order_type_, order.price)
                                       : c.sell(market_.symbol, order.size, order_type_, order.price);
    if (!id) {
      ++stats_.orders_refused;
      log(LogLevel::Warn, "{} {} at {} refused: {}", model::to_string(side), order.size, order.price,
          id.error().describe());
      return;
    }
    ++stats_.orders_created;
    own_orders_.push_back(OwnOrder{*id, side, order.price});
  };
  for (const PriceSize& buy : proposal_.buys) place(model::Side::Buy, buy);
  for (const PriceSize& sell : proposal_.sells) place(model::Side::Sell, sell);
  if (orders_created) set_timers(now);
}

void PureMarketMaking::set_timers(Timestamp now) {
  const Timestamp next_cycle = now + config_.order_refresh_time;
  if (create_timestamp_ <= now) create_timestamp_ = next_cycle;
  if (cancel_timestamp_ <= now) cancel_timestamp_ = std::min(create_timestamp_, next_cycle);
}

// ---------------------------------------------------------------------------------------------
// Events

bool PureMarketMaking::is_own(const model::ClientOrderId& id) const noexcept {
  return std::any_of(own_orders_.begin(), own_orders_.end(), [&](const OwnOrder& o) { return o.id == id; });
}

void PureMarketMaking::forget(const model::ClientOrderId& id) {
  std::erase_if(own_orders_, [&](const OwnOrder& o) { return o.id == id; });
}

void PureMarketMaking::on_order_filled(connector::Connector& from, const model::OrderFilled& e) {
  if (&from != market_.connector || !is_own(e.client_order_id)) return;
  log(LogLevel::Info, "maker {} order {}: {} filled at {}", model::to_string(e.side), e.client_order_id,
      e.amount, e.price);
  // Inventory cost (Hummingbot's InventoryCostPriceDelegate, kept in memory): buys add their cost;
  // sells take base out at the average cost, so profits do not move it.
  const model::TradingRules* rules = market_.connector->trading_rules(market_.symbol);
  if (rules == nullptr) return;
  Quantity base = e.amount;
  Notional quote = e.price * e.amount;
  if (e.fee.asset == model::Asset::truncating(rules->base)) {
    base = e.side == model::Side::Buy ? base - e.fee.amount : base + e.fee.amount;
  } else if (e.fee.asset == model::Asset::truncating(rules->quote) && e.side == model::Side::Buy) {
    quote += Notional::from_quantity(e.fee.amount);  // a quote fee on a buy adds to the cost
  }                                                  // a fee in a third asset (BNB) is not counted
  if (e.side == model::Side::Buy) {
    inventory_base_ += base;
    inventory_quote_ += quote;
  } else if (base >= inventory_base_) {
    inventory_base_ = Quantity::zero();
    inventory_quote_ = Notional();
  } else if (const auto cost = inventory_cost_price()) {
    inventory_quote_ -= *cost * base;
    inventory_base_ -= base;
  }
}

void PureMarketMaking::on_order_completed(connector::Connector& from, const model::OrderCompleted& e) {
  if (&from != market_.connector) return;
  const auto it = std::find_if(own_orders_.begin(), own_orders_.end(),
                               [&](const OwnOrder& o) { return o.id == e.client_order_id; });
  if (it == own_orders_.end()) return;
  // Delay the next proposal by filled_order_delay (Hummingbot: c_did_complete_buy/sell_order).
  create_timestamp_ = current_timestamp() + config_.filled_order_delay;
  cancel_timestamp_ = std::min(cancel_timestamp_, create_timestamp_);
  last_own_trade_price_ = it->price;
  log(LogLevel::Info, "maker {} order {} ({} at {}) has been completely filled", model::to_string(e.side),
      e.client_order_id, e.base_amount, it->price);
  own_orders_.erase(it);
}

void PureMarketMaking::on_order_cancelled(connector::Connector& from, const model::OrderCancelled& e) {
  if (&from == market_.connector) forget(e.client_order_id);
}

void PureMarketMaking::on_order_failed(connector::Connector& from, const model::OrderFailed& e) {
  if (&from != market_.connector || !is_own(e.client_order_id)) return;
  log(LogLevel::Warn, "{} order {} failed: {}", model::to_string(e.side), e.client_order_id, e.message);
  forget(e.client_order_id);
}

void PureMarketMaking::on_order_expired(connector::Connector& from, const model::OrderExpired& e) {
  if (&from == market_.connector) forget(e.client_order_id);
}

void PureMarketMaking::on_public_trade(connector::Connector& from, const connector::PublicTradeEvent& e) {
  if (&from == market_.connector && e.symbol == market_.symbol) last_trade_price_ = e.trade.price;
}

}  // namespace colibri::strategy
