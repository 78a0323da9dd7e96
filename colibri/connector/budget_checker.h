#pragma once
// BudgetChecker: Hummingbot's budget constraint (BudgetChecker.adjust_candidates) in exact
// arithmetic. Before a strategy places a set of orders, each candidate is checked against what the
// account can still pay for; one the balance cannot cover is shrunk to what it allows (rounded DOWN
// to the lot, fee included) or dropped, and later candidates see what earlier ones took, so a ladder
// of levels consumes the budget in order.
//
// Collateral (what an order locks until it fills or is cancelled; spot):
//   buy   quote: price × quantity, plus price × quantity × fee rate when fees are charged on top
//         of the cost in quote (FeeCharging::QuoteOnTop, Hummingbot's default assumption);
//   sell  base: quantity (the fee comes out of the quote proceeds).
// Fee amounts round UP (at 10^-16 of the quote asset); shrunk quantities round DOWN to the lot.
// Everything is Price/Quantity/Notional; no double.
//
// Available budget of an asset = min(free, total − locked by the bot's own open orders), never below
// zero. The venue's `free` already excludes its open orders once it has heard of them; `total − ours`
// covers the orders it has not reflected yet (a balance update arrives after the order's answer).
// The minimum of the two is safe in both cases. The checker computes each open order's lock from
// its side, price and remaining quantity with the same collateral rule as a candidate.
//
// Ownership: holds copies of balances and open-order locks (one entry per asset); candidates are
// the caller's and adjusted in place. adjust() is const: it "locks" budget only for the candidates
// of one call (Hummingbot's reset_locked_collateral() after adjust_candidates()).
// Not thread-safe: owned by the bot's event-loop thread. adjust() never allocates; set_balance() and
// add_open_order() allocate only when they meet an asset for the first time.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/model/order.h"
#include "colibri/model/trading_rules.h"

namespace colibri::connector {

struct FeeRateTag {
  static constexpr const char* kName = "fee rate";
};
// A fee as a fraction of the notional: "0.001" is 0.1 %. Exact, 8 decimals, in [0, 1].
using FeeRate = Fixed<FeeRateTag>;

// How the venue takes its fee, as far as collateral goes.
enum class FeeCharging : std::uint8_t {
  QuoteOnTop,    // a buy pays price × quantity × (1 + rate) in quote; a sell pays from its proceeds
  FromProceeds,  // taken from what the order receives (Binance spot without BNB): locks nothing more
};

struct FeeSchedule {
  FeeRate maker;
  FeeRate taker;
  FeeCharging charging = FeeCharging::QuoteOnTop;

  // LimitMaker pays maker, Market pays taker, Limit the higher of the two (it may cross the book).
  [[nodiscard]] FeeRate rate_for(model::OrderType type) const noexcept;
};

// What adjust() did to a candidate.
enum class BudgetOutcome : std::uint8_t {
  Fits,                 // unchanged (quantity already on the lot and covered)
  Shrunk,               // reduced to what the budget covers (or to the lot), still a valid order
  DroppedForBalance,    // nothing left to cover it, or all-or-none and not fully covered
  DroppedBelowMinimum,  // what the budget covers is under the min quantity or min notional
};

[[nodiscard]] std::string_view to_string(BudgetOutcome outcome) noexcept;

// An order a strategy would like to place on the market of the TradingRules given to adjust().
struct OrderCandidate {
  model::Side side = model::Side::Buy;
  model::OrderType type = model::OrderType::Limit;
  Price price{};        // (> 0) for market orders, the reference price the budget is computed at
  Quantity quantity{};  // in: wanted (>= 0); out: what the budget allows, zero when dropped

  // Written by adjust():
  BudgetOutcome outcome = BudgetOutcome::Fits;
  Notional collateral{};  // what it locks (quote for buys, base for sells), fee included; zero if dropped
};

// One of the bot's open orders, as far as its lock goes.
struct OpenOrderLock {
  model::Side side = model::Side::Buy;
  model::OrderType type = model::OrderType::Limit;
  Price price{};
  Quantity remaining{};  // quantity not yet filled (>= 0)
};

enum class BudgetMode : std::uint8_t {
  ShrinkToFit,  // adjust_candidates(all_or_none=False)
  AllOrNone,    // adjust_candidates(all_or_none=True): a candidate not fully covered is dropped
};

class BudgetChecker {
 public:
  // InvalidArgument when a fee rate is outside [0, 1].
  [[nodiscard]] static Result<BudgetChecker> create(FeeSchedule fees);

  // The venue's balance of one asset (replaces the previous one). InvalidArgument when negative or
  // when available > total.
  [[nodiscard]] Result<void> set_balance(const model::Balance& balance);
  // Adds the lock of one of the bot's open orders on the market of `rules`. InvalidArgument for a
  // non-positive price or a negative remaining quantity.
  [[nodiscard]] Result<void> add_open_order(const model::TradingRules& rules, const OpenOrderLock& order);
  // Forgets every open-order lock (then add the current ones again).
  void clear_open_orders() noexcept;

  // min(free, total − open-order locks), at least zero; zero for an unknown asset. O(assets).
  [[nodiscard]] Notional available(std::string_view asset) const noexcept;

  // What one order locks (see the top of this file).
  [[nodiscard]] Notional collateral(model::Side side, model::OrderType type, Price price,
                                    Quantity quantity) const noexcept;

  // Adjusts `candidates` in order against the budget of rules.base and rules.quote, each seeing
  // what the earlier ones locked (see BudgetOutcome). Candidate quantities are first rounded down
  // to the lot. InvalidArgument (nothing written) when a candidate has a non-positive price or a
  // negative quantity, naming its index. O(candidates + assets); never allocates.
  [[nodiscard]] Result<void> adjust(const model::TradingRules& rules, std::span<OrderCandidate> candidates,
                                    BudgetMode mode) const;

 private:
  // Invariants: (1) one entry per asset; (2) total >= free >= 0; (3) locked >= 0.
  struct AssetBudget {
    model::Asset asset;
    Notional total;
    Notional free;
    Notional locked;  // by the bot's open orders
  };

  explicit BudgetChecker(FeeSchedule fees) : fees_(fees) {}
  AssetBudget& entry(std::string_view asset);
  [[nodiscard]] const AssetBudget* find(std::string_view asset) const noexcept;
  // The largest multiple of `lot` (<= cap) whose collateral fits in `budget`.
  [[nodiscard]] Quantity max_quantity(model::Side side, model::OrderType type, Price price, Quantity lot,
                                      Quantity cap, Notional budget) const noexcept;

  FeeSchedule fees_;
  std::vector<AssetBudget> assets_;
};

}  // namespace colibri::connector
