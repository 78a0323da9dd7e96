#pragma once
// BudgetChecker: Hummingbot's budget constraint (BudgetChecker.adjust_candidates) in exact
// arithmetic. Before a strategy places a set of orders, each candidate is checked against what the
// account can still pay for; one the balance cannot cover is shrunk to what it allows (rounded DOWN
// to the lot, fee included) or dropped, and later candidates see what earlier ones took, so a ladder
// of levels consumes the budget in order.
//
// Collateral (what an order locks until it fills or is cancelled; spot), from the account's
// model::FeeSchedule on the market (its rates and its FeeAssetPolicy):
//   buy   quote: price × quantity, plus its fee when the schedule charges a buy's fee in quote
//         (QuoteAsset: paid on top of the cost). Under ReceivedAsset (Binance spot's default) the
//         fee comes out of the base received; under NamedAsset it is paid in a third asset (BNB),
//         whose balance this checker does not check: neither locks anything more;
//   sell  base: quantity (no policy charges a sell's fee in base: it comes out of the quote
//         proceeds or is paid in the named asset).
// The fee rate of an order type: LimitMaker pays maker, Market taker, Limit the higher of the two
// (it may cross the book). Fees round UP to 1e-8 of quote (FeeRate::fee_on, the rule the venue's
// fee is simulated and estimated with); shrunk quantities round DOWN to the lot.
// Everything is Price/Quantity/Notional; no double.
//
// Available budget of an asset = min(free, total − locked by the bot's own open orders), never below
// zero. The venue's `free` already excludes its open orders once it has heard of them; `total − ours`
// covers the orders it has not reflected yet (a balance update arrives after the order's answer).
// The minimum of the two is safe in both cases. The checker computes each open order's lock from
// its side, price and remaining quantity with the same collateral rule as a candidate.
//
// Ownership: holds copies of the fee schedule, balances and open-order locks (one entry per
// asset); candidates are the caller's and adjusted in place. adjust() is const: it "locks" budget
// only for the candidates of one call (Hummingbot's reset_locked_collateral() after
// adjust_candidates()).
// Not thread-safe: owned by the bot's event-loop thread. adjust() never allocates; set_balance() and
// add_open_order() allocate only when they meet an asset for the first time.

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/model/fees.h"
#include "colibri/model/order.h"
#include "colibri/model/trading_rules.h"

namespace colibri::connector {

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
  // Checks budgets with the account's fees on the market (copied; only its rates and fee asset
  // policy are used). InvalidArgument when a rate is outside [0, 1]: the budget does not count on
  // a rebate, which is credited only after the fill.
  [[nodiscard]] static Result<BudgetChecker> create(model::FeeSchedule fees);

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

  explicit BudgetChecker(model::FeeSchedule fees) : fees_(std::move(fees)) {}
  AssetBudget& entry(std::string_view asset);
  [[nodiscard]] const AssetBudget* find(std::string_view asset) const noexcept;
  // The largest multiple of `lot` (<= cap) whose collateral fits in `budget`.
  [[nodiscard]] Quantity max_quantity(model::Side side, model::OrderType type, Price price, Quantity lot,
                                      Quantity cap, Notional budget) const noexcept;

  model::FeeSchedule fees_;
  std::vector<AssetBudget> assets_;
};

}  // namespace colibri::connector
