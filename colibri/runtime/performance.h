#pragma once
// PerformanceTracker: a backtest's performance metrics, computed as the run goes in constant
// memory (DESIGN.md performance budget: memory flat with data length).
//
// Definitions (docs/BACKTEST_REPORT.md says the same for users):
// - Marks. The reference price is the exchange's mid. The starting portfolio is valued at the
//   first mid of the run (mid0); balances before it are the starting balances.
// - Realized PnL, average cost basis: the starting base is held at cost mid0; a trade that grows
//   the position adds price × quantity to its cost; a trade that shrinks it realizes
//   (price − average cost) × quantity. A fee charged in base is a disposal of that base at the
//   fill's price (realizing against the average cost) whose proceeds are the fee. All exact
//   (Notional); the cost removed by a partial close is rounded to 1e-16 of the quote asset.
// - Unrealized PnL: position × mid − position cost. Fees (quote): quote fees, plus base fees at the
//   fill's price; fees in any other asset are counted in other_fee_assets, not valued.
// - total_pnl = realized + unrealized − fees, which equals equity(end) − equity(start at mid0)
//   exactly when every fee is in base or quote (equity = quote + base × mid).
// - Hummingbot's `history` formulas: hold value = start base × end mid + start quote;
//   return_vs_hold_pct = (end value − hold value) / hold value (its "Return %"). Also
//   return_pct = total_pnl / start value and hold_return_pct = (hold value − start value) / start value.
// - Sharpe and Sortino: from the simple returns of equity between consecutive samples (one per
//   sample interval), mean / standard deviation (Sortino: / downside deviation, the root mean
//   square of the negative returns over all samples), annualized by √(samples per 365-day year).
//   Zero when there are fewer than two returns or no dispersion.
// - Max drawdown: the largest fall of sampled equity from its running peak, in quote and in % of
//   that peak.
// - maker_share: maker base volume / total base volume. fill_ratio: base filled / base quoted (the
//   quantity of every order created).
// - spread_captured_bps: quantity-weighted mean of (mid − price) / mid for buys and
//   (price − mid) / mid for sells, mid at the moment the bot hears of the fill.
// - adverse_selection_{1s,10s}_bps: quantity-weighted mean of how far the mid moved against the
//   fill h later: (mid0 − mid_h) / mid0 for buys, (mid_h − mid0) / mid0 for sells. Positive is
//   adverse. Fills with no mid h later (the run ended) are left out; the counts say how many were used.
//
// Not thread-safe: fed from the run's one thread.

#include <cstdint>
#include <optional>

#include "colibri/core/decimal.h"
#include "colibri/core/time.h"
#include "colibri/model/order.h"
#include "colibri/model/order_events.h"

namespace colibri::runtime {

struct PerformanceMetrics {
  Notional realized_pnl;
  Notional unrealized_pnl;
  Notional fees_quote;
  Notional total_pnl;
  std::uint64_t other_fee_assets = 0;  // fills whose fee was in neither base nor quote
  Quantity traded_volume_base;
  Notional traded_volume_quote;
  std::uint64_t fill_count = 0;
  std::uint64_t buy_fills = 0;
  std::uint64_t sell_fills = 0;
  double maker_share = 0;
  double fill_ratio = 0;
  Notional start_value;  // at mid0
  Notional end_value;    // at the end mid
  Notional hold_value;   // start balances at the end mid
  double return_pct = 0;
  double hold_return_pct = 0;
  double return_vs_hold_pct = 0;
  double sharpe = 0;
  double sortino = 0;
  Duration ratio_interval{0};
  double max_drawdown_pct = 0;
  Notional max_drawdown_quote;
  double spread_captured_bps = 0;
  double adverse_selection_1s_bps = 0;
  double adverse_selection_10s_bps = 0;
  std::uint64_t adverse_selection_1s_fills = 0;
  std::uint64_t adverse_selection_10s_fills = 0;
};

// Equity and PnL at one sampled instant.
struct EquityPoint {
  Notional equity;       // quote + base × mid
  Notional pnl;          // equity − hold value at the same mid (Hummingbot's trade P&L)
  double drawdown_pct = 0;  // below the running peak of equity
};

class PerformanceTracker {
 public:
  enum class Horizon : std::uint8_t { OneSecond, TenSeconds };

  PerformanceTracker(model::Asset base, model::Asset quote, Quantity start_base, Quantity start_quote,
                     Duration sample_interval);

  // An order was created with `quantity` (for fill_ratio).
  void on_order_created(Quantity quantity);
  // A fill, with the exchange's mid when the bot heard of it (none: no book at that moment).
  void on_fill(const model::OrderFilled& fill, std::optional<Price> mid);
  // The mid `horizon` after a fill whose mid was `mid_at_fill`.
  void on_mid_after_fill(Horizon horizon, model::Side side, Quantity amount, Price mid_at_fill, Price mid_later);
  // A sample of the balances at the mid; returns the equity point (used for the series). Without a
  // mid nothing is marked and a zero point is returned.
  EquityPoint on_sample(std::optional<Price> mid, Quantity base, Quantity quote);

  // The metrics at the end of the run, marked at `end_mid` (the last mid when none).
  [[nodiscard]] PerformanceMetrics finish(std::optional<Price> end_mid, Quantity end_base, Quantity end_quote) const;

 private:
  void set_basis(Price mid);
  // Moves the position by `signed_quantity` at `price`, realizing what a reduction closes.
  void trade(Price price, Quantity quantity, bool buy);

  model::Asset base_;
  model::Asset quote_;
  Quantity start_base_;
  Quantity start_quote_;
  Duration sample_interval_;

  bool has_basis_ = false;
  Price mid0_;
  std::optional<Price> last_mid_;
  Int128 position_ = 0;  // base, 1e-8 units, signed
  Notional position_cost_;
  Notional realized_;
  Notional fees_quote_;
  std::uint64_t other_fee_assets_ = 0;

  Quantity volume_base_;
  Notional volume_quote_;
  Quantity maker_volume_;
  Quantity quoted_base_;
  std::uint64_t fills_ = 0;
  std::uint64_t buys_ = 0;
  std::uint64_t sells_ = 0;

  double spread_weighted_ = 0;  // Σ quantity × captured fraction
  double spread_weight_ = 0;
  double adverse_weighted_[2] = {0, 0};
  double adverse_weight_[2] = {0, 0};
  std::uint64_t adverse_fills_[2] = {0, 0};

  // Equity returns (Welford) and drawdown.
  std::optional<Notional> previous_equity_;
  std::uint64_t returns_ = 0;
  double mean_ = 0;
  double m2_ = 0;
  double downside_squares_ = 0;
  std::optional<Notional> peak_;
  Notional max_drawdown_;
  double max_drawdown_pct_ = 0;
};

}  // namespace colibri::runtime
