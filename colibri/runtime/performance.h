#pragma once
// PerformanceTracker: a backtest's performance metrics, computed as the run goes in constant
// memory (DESIGN.md performance budget: memory flat with data length).
//
// A portfolio of one or more markets that share one quote asset, each with its own base asset
// (BTCUSDT and ETHUSDT). Trading metrics (PnL, fees, volume, fills, spread captured, adverse
// selection) are kept per market and summed (volume-weighted for the bps figures) over the
// portfolio; equity metrics (values, returns, Sharpe, Sortino, drawdown) exist for the portfolio
// only, where equity = quote + Σ base_i × mid_i. With one market the two views coincide.
//
// Definitions (docs/BACKTEST_REPORT.md says the same for users):
// - Marks. The reference price is the exchange's mid. The starting portfolio is valued at each
//   market's first mid of the run (mid0); balances before it are the starting balances. A sample
//   is marked once every market has a mid.
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
//   quantity of every order created). Across several markets the bases differ, so these and the
//   bps figures below weigh each market by quote value (volume, or quoted value for fill_ratio),
//   and the portfolio's traded_volume_base is zero (each market has its own).
// - spread_captured_bps: quantity-weighted mean of (mid − price) / mid for buys and
//   (price − mid) / mid for sells, mid at the moment the bot hears of the fill.
// - adverse_selection_{1s,10s}_bps: quantity-weighted mean of how far the mid moved against the
//   fill h later: (mid0 − mid_h) / mid0 for buys, (mid_h − mid0) / mid0 for sells. Positive is
//   adverse. Fills with no mid h later (the run ended) are left out; the counts say how many were used.
//
// Not thread-safe: fed from the run's one thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

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
  bool marked = false;   // every market had a mid (otherwise the rest is zero)
  Notional equity;       // quote + Σ base × mid
  Notional pnl;          // equity − hold value at the same mids (Hummingbot's trade P&L)
  double drawdown_pct = 0;  // below the running peak of equity
};

// One market of the portfolio: its base asset and the base held at the start.
struct PortfolioMarket {
  model::Asset base;
  Quantity start_base;
};

class PerformanceTracker {
 public:
  enum class Horizon : std::uint8_t { OneSecond, TenSeconds };

  // A portfolio: `markets` (at least one, distinct bases) priced in `quote`.
  PerformanceTracker(model::Asset quote, Quantity start_quote, std::vector<PortfolioMarket> markets,
                     Duration sample_interval);
  // One market.
  PerformanceTracker(model::Asset base, model::Asset quote, Quantity start_base, Quantity start_quote,
                     Duration sample_interval);

  [[nodiscard]] std::size_t market_count() const noexcept { return markets_.size(); }

  // An order was created on `market` for `quantity` at `price` (for fill_ratio).
  void on_order_created(std::size_t market, Quantity quantity, Price price);
  // A fill on `market`, with its exchange mid when the bot heard of it (none: no book yet).
  void on_fill(std::size_t market, const model::OrderFilled& fill, std::optional<Price> mid);
  // The mid of `market` `horizon` after a fill whose mid was `mid_at_fill`.
  void on_mid_after_fill(std::size_t market, Horizon horizon, model::Side side, Quantity amount,
                         Price mid_at_fill, Price mid_later);
  // A sample of the balances at the mids (one per market, in market order); returns the equity
  // point (used for the series). While a market has no mid nothing is marked and a zero point is
  // returned.
  EquityPoint on_sample(std::span<const std::optional<Price>> mids, std::span<const Quantity> bases,
                        Quantity quote);

  // The portfolio's metrics at the end of the run, marked at `end_mids` (each market's last mid
  // where one is none).
  [[nodiscard]] PerformanceMetrics finish(std::span<const std::optional<Price>> end_mids,
                                          std::span<const Quantity> end_bases, Quantity end_quote) const;
  // One market's trading metrics, marked at `end_mid` (its last mid when none): PnL, fees, volume,
  // fills, maker share, fill ratio, spread captured and adverse selection. The equity fields
  // (values, returns, Sharpe, Sortino, drawdown) are the portfolio's and stay zero here.
  [[nodiscard]] PerformanceMetrics market_metrics(std::size_t market, std::optional<Price> end_mid) const;

  // --- one market (market 0)
  void on_order_created(Quantity quantity, Price price) { on_order_created(0, quantity, price); }
  void on_fill(const model::OrderFilled& fill, std::optional<Price> mid) { on_fill(0, fill, mid); }
  void on_mid_after_fill(Horizon horizon, model::Side side, Quantity amount, Price mid_at_fill, Price mid_later) {
    on_mid_after_fill(0, horizon, side, amount, mid_at_fill, mid_later);
  }
  EquityPoint on_sample(std::optional<Price> mid, Quantity base, Quantity quote) {
    return on_sample(std::span(&mid, 1), std::span(&base, 1), quote);
  }
  [[nodiscard]] PerformanceMetrics finish(std::optional<Price> end_mid, Quantity end_base, Quantity end_quote) const {
    return finish(std::span(&end_mid, 1), std::span(&end_base, 1), end_quote);
  }

 private:
  // The position, cost basis and trading tallies of one market.
  struct Market {
    model::Asset base;
    Quantity start_base;
    bool has_basis = false;
    Price mid0;
    std::optional<Price> last_mid;
    Int128 position = 0;  // base, 1e-8 units, signed
    Notional position_cost;
    Notional realized;
    Notional fees_quote;
    std::uint64_t other_fee_assets = 0;

    Quantity volume_base;
    Notional volume_quote;
    Quantity maker_volume;
    Quantity quoted_base;
    Notional quoted_quote;
    std::uint64_t fills = 0;
    std::uint64_t buys = 0;
    std::uint64_t sells = 0;

    double spread_weighted = 0;  // Σ quantity × captured fraction
    double spread_weight = 0;
    double adverse_weighted[2] = {0, 0};
    double adverse_weight[2] = {0, 0};
    std::uint64_t adverse_fills[2] = {0, 0};

    void set_basis(Price mid);
    // Moves the position by the trade at `price`, realizing what a reduction closes.
    void trade(Price price, Quantity quantity, bool buy);
  };

  // Adds `market`'s trading metrics into `m`, marked at `mid` (its last mid when none).
  void add_trading(const Market& market, std::optional<Price> mid, PerformanceMetrics& m) const;

  model::Asset quote_;
  Quantity start_quote_;
  Duration sample_interval_;
  std::vector<Market> markets_;

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
