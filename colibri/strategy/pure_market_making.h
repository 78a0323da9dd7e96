#pragma once
// PureMarketMaking: Hummingbot's pure market making strategy (pure_market_making.pyx) on one market,
// with Hummingbot's parameter names, defaults and semantics (docs/PURE_MARKET_MAKING.md lists each
// parameter and where colibri differs).
//
// Each tick, in Hummingbot's order (c_tick):
//   if the connector is not ready, or the market has no synced book or no reference price: nothing.
//   when the create timestamp has come (create_timestamp <= now):
//     1. base proposal: order_levels bids at price × (1 − bid_spread − level × order_level_spread)
//        and asks at price × (1 + ask_spread + level × order_level_spread), each of
//        order_amount + level × order_level_amount;
//     2. level modifiers (Hummingbot's price band and ping-pong: not implemented, a no-op);
//     3. size modifiers: inventory skew (when inventory_skew_enabled);
//     4. budget constraint (connector::BudgetChecker: what the balances can pay, fee included);
//     5. filter out takers, unless take_if_crossed (bids >= best ask and asks <= best bid go).
//   then: cancel every active order if one is older than max_order_age; when the cancel timestamp
//   has come, cancel every active order unless the proposal is within order_refresh_tolerance_pct
//   of them (side by side, sorted by price); cancel active orders closer to the price than
//   minimum_spread; and create the proposal when no active order remains and
//   create_timestamp < now, after which both timestamps move to now + order_refresh_time.
//   When one of our orders completes (fully filled), the next proposal waits filled_order_delay.
//
// Prices and sizes: the reference price times an exact fraction (percent parameters are held as
// exact fractions of 10^-10), rounded as TradingRules quantizes: bids DOWN, asks UP to the tick,
// sizes DOWN to the lot (DESIGN.md decision 1; Hummingbot rounds asks down too). Inventory skew
// ratios are computed in double, as Hummingbot does, and the skewed size is rounded to the nearest
// 10^-8 before it is rounded down to the lot.
//
// Orders are LIMIT_MAKER (post-only) unless take_if_crossed, then LIMIT (Hummingbot:
// get_maker_order_type()). The strategy only ever cancels orders it placed itself.
//
// Ownership: the market's connector is not owned (see StrategyContext). Not thread-safe: the bot's
// event-loop thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/connector/budget_checker.h"
#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/strategy/strategy.h"

namespace colibri::strategy {

// Hummingbot's price_type values: what the spreads are measured from.
enum class PriceType : std::uint8_t {
  MidPrice,           // "mid_price": (best bid + best ask) / 2
  LastPrice,          // "last_price": the market's last public trade
  LastOwnTradePrice,  // "last_own_trade_price": the price of our last completely filled order
  BestBid,            // "best_bid"
  BestAsk,            // "best_ask"
  InventoryCost,      // "inventory_cost": mid price, and asks never below the average cost of our
                      //  base inventory (bought by this strategy since it started)
};

// Hummingbot's name of a price type ("mid_price", ...).
[[nodiscard]] std::string_view to_string(PriceType type) noexcept;
// InvalidArgument naming price_type and the allowed values for anything else.
[[nodiscard]] Result<PriceType> parse_price_type(std::string_view text);

// The parameters, with Hummingbot's names and defaults (pure_market_making_config_map). Percent
// parameters use Hummingbot's convention: 1 means 1 %. Fields without a usable default (bid_spread,
// ask_spread, order_amount, order_refresh_time: Hummingbot prompts for them) default to a value
// that validate() refuses.
struct PureMarketMakingConfig {
  double bid_spread = 0;                                   // percent, in (0, 100): first bid below the price
  double ask_spread = 0;                                   // percent, in (0, 100): first ask above the price
  Quantity order_amount{};                                 // base per order, > 0
  int order_levels = 1;                                    // orders per side, >= 0
  double order_level_spread = 1;                           // percent, in (0, 100): spread added per level
  Quantity order_level_amount{};                           // base added per level (may be negative)
  Duration order_refresh_time{};                           // > 0: how long orders rest before being refreshed
  double order_refresh_tolerance_pct = 0;                  // percent, in [-10, 10]; negative: always refresh
  Duration max_order_age = std::chrono::seconds(1800);     // > 0
  Duration filled_order_delay = std::chrono::seconds(60);  // > 0
  bool inventory_skew_enabled = false;
  double inventory_target_base_pct = 50;  // percent, in [0, 100]: target share of base in value
  double inventory_range_multiplier = 1;  // > 0: tolerated range, in multiples of total order size
  double minimum_spread = -100;           // percent, in [-100, 100]: cancel orders closer than this
  std::string price_type = "mid_price";   // see PriceType
  bool take_if_crossed = false;           // keep orders that would take liquidity

  // InvalidArgument naming the first invalid key, its allowed values and the value given.
  [[nodiscard]] Result<void> validate() const;
};

// One order of a proposal (Hummingbot's PriceSize): quantized price and size.
struct PriceSize {
  Price price;
  Quantity size;
  friend bool operator==(const PriceSize&, const PriceSize&) = default;
};

// The orders a tick would place (Hummingbot's Proposal), bids best (highest) first, asks best
// (lowest) first.
struct Proposal {
  std::vector<PriceSize> buys;
  std::vector<PriceSize> sells;
};

// Hummingbot's inventory skew (inventory_skew_calculator.pyx): how much to scale bid and ask sizes
// given the inventory. Both 0 when the portfolio value or the range is not positive.
struct InventorySkewRatios {
  double bid_ratio = 0;
  double ask_ratio = 0;
};
[[nodiscard]] InventorySkewRatios inventory_skew_ratios(double base_amount, double quote_amount, double price,
                                                        double target_base_ratio,
                                                        double base_asset_range) noexcept;
// 2 × (levels × amount + levels × (levels − 1) / 2 × level_amount): both sides of the ladder.
[[nodiscard]] double total_order_size(double order_amount, double order_level_amount,
                                      int order_levels) noexcept;

struct PureMarketMakingStats {
  std::uint64_t orders_created = 0;         // buy/sell calls the connector accepted
  std::uint64_t orders_refused = 0;         // buy/sell calls the connector refused (logged)
  std::uint64_t cancelled_for_refresh = 0;  // out of tolerance (or no tolerance) at refresh time
  std::uint64_t cancelled_for_age = 0;      // max_order_age
  std::uint64_t cancelled_below_min_spread = 0;
};

class PureMarketMaking final : public Strategy {
 public:
  // Throws StartupError (InvalidArgument) for an invalid config or context, or a market whose
  // connector is not one of the context's.
  PureMarketMaking(StrategyContext context, MarketTradingPair market, PureMarketMakingConfig config);

  [[nodiscard]] const PureMarketMakingConfig& config() const noexcept { return config_; }
  [[nodiscard]] PriceType price_type() const noexcept { return price_type_; }
  // Hummingbot's get_price(): the reference price of the configured type, falling back to the mid
  // price when it is not known (no trade yet, ...); empty without a synced two-sided book.
  [[nodiscard]] std::optional<Price> reference_price() const;
  // The proposal of the latest tick (after every modifier and filter); null when that tick made
  // none (create timestamp not reached, or nothing to do).
  [[nodiscard]] const Proposal* last_proposal() const noexcept {
    return has_proposal_ ? &proposal_ : nullptr;
  }
  // Our orders that are not final yet (cancels pending included), oldest first. Returns a new
  // vector (allocates): the tick itself reads them once into reused storage (read_active_orders).
  [[nodiscard]] std::vector<const model::InFlightOrder*> active_orders() const;
  [[nodiscard]] Timestamp create_timestamp() const noexcept { return create_timestamp_; }
  [[nodiscard]] Timestamp cancel_timestamp() const noexcept { return cancel_timestamp_; }
  // Average cost of the base bought since start (price_type inventory_cost); empty when none held.
  [[nodiscard]] std::optional<Price> inventory_cost_price() const;
  [[nodiscard]] const PureMarketMakingStats& stats() const noexcept { return stats_; }

 private:
  struct OwnOrder {
    model::ClientOrderId id;
    model::Side side = model::Side::Buy;
    Price price;
  };

  void on_tick(Timestamp now) override;
  void on_order_filled(connector::Connector& from, const model::OrderFilled& event) override;
  void on_order_completed(connector::Connector& from, const model::OrderCompleted& event) override;
  void on_order_cancelled(connector::Connector& from, const model::OrderCancelled& event) override;
  void on_order_failed(connector::Connector& from, const model::OrderFailed& event) override;
  void on_order_expired(connector::Connector& from, const model::OrderExpired& event) override;
  void on_public_trade(connector::Connector& from, const connector::PublicTradeEvent& event) override;

  // The tick's steps (Hummingbot's names without the c_ prefix).
  void create_base_proposal(const model::TradingRules& rules, Price price);
  void apply_inventory_skew(const model::TradingRules& rules, Price price);
  void apply_budget_constraint(const model::TradingRules& rules);
  void filter_out_takers(const model::OrderBook& book);
  // The tick reads its active orders once, into active_ (one look-up per order: the connector
  // finds an order by its client id); each step then asks still_active(), which drops those that
  // stopped being live since (a cancel or an event can end an order during the tick). Orders the
  // tick places are not in it: nothing after the placing step reads it.
  void read_active_orders();
  const std::vector<const model::InFlightOrder*>& still_active() const;
  void append_active_orders(std::vector<const model::InFlightOrder*>& out) const;
  void cancel_active_orders_on_max_age_limit(Timestamp now);
  void cancel_active_orders(Timestamp now);
  void cancel_orders_below_min_spread(Price price);
  [[nodiscard]] bool to_create_orders(Timestamp now) const;
  void execute_orders_proposal(Timestamp now);
  void set_timers(Timestamp now);

  // Available balance plus what our active orders lock (Hummingbot's
  // c_get_adjusted_available_balance): the budget if the active orders were replaced.
  void adjusted_available_balance(const model::TradingRules& rules, Quantity& base, Quantity& quote) const;
  void cancel(const model::InFlightOrder& order);
  [[nodiscard]] bool is_own(const model::ClientOrderId& id) const noexcept;
  void forget(const model::ClientOrderId& id);
  [[nodiscard]] bool within_tolerance(std::vector<Price>& current, std::vector<Price>& proposed) const;

  MarketTradingPair market_;
  PureMarketMakingConfig config_;
  PriceType price_type_ = PriceType::MidPrice;
  model::OrderType order_type_ = model::OrderType::LimitMaker;
  // The percent parameters as exact fractions in units of 10^-10 (1 % = 10^8).
  std::int64_t bid_spread_ = 0;
  std::int64_t ask_spread_ = 0;
  std::int64_t order_level_spread_ = 0;
  std::int64_t refresh_tolerance_ = 0;
  std::int64_t minimum_spread_ = 0;

  std::optional<connector::BudgetChecker> budget_;     // built on the first ready tick (fees known)
  std::vector<connector::OrderCandidate> candidates_;  // reused by apply_budget_constraint
  Proposal proposal_;
  bool has_proposal_ = false;
  std::vector<OwnOrder> own_orders_;    // placed by us, not yet final; oldest first
  // The tick's active orders (read_active_orders, still_active): reused, so that a tick does not
  // allocate (DESIGN.md decision 9); mutable because still_active(), a const query, prunes it.
  mutable std::vector<const model::InFlightOrder*> active_;
  std::vector<Price> current_prices_;   // reused by cancel_active_orders
  std::vector<Price> proposed_prices_;  // reused by cancel_active_orders

  Timestamp create_timestamp_;                 // Hummingbot's _create_timestamp (starts at 0)
  Timestamp cancel_timestamp_;                 // Hummingbot's _cancel_timestamp (starts at 0)
  std::optional<Price> last_trade_price_;      // the market's last public trade
  std::optional<Price> last_own_trade_price_;  // price of our last completely filled order
  Quantity inventory_base_;                    // inventory_cost: base bought and still held
  Notional inventory_quote_;                   // inventory_cost: what it cost
  PureMarketMakingStats stats_;
};

}  // namespace colibri::strategy
