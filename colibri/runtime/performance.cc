#include "colibri/runtime/performance.h"

#include <algorithm>
#include <cmath>

namespace colibri::runtime {
namespace {

constexpr double kSecondsPerYear = 365.0 * 24 * 3600;

double ratio(Notional numerator, Notional denominator) {
  if (denominator.is_zero()) return 0;
  return numerator.to_double() / denominator.to_double();
}

// cost × part / whole, rounded toward zero at 1e-16; whole > 0, 0 <= part <= whole.
Notional proportion(Notional cost, Int128 part, Int128 whole) {
  Int128 product = 0;
  if (!__builtin_mul_overflow(cost.raw(), part, &product)) {
    return Notional::from_raw(detail::divide(product, whole, Rounding::TowardZero));
  }
  // Past 2^127 (a position cost beyond ~10^21 quote units × 10^8): long double is close enough.
  const long double scaled = static_cast<long double>(cost.raw()) * static_cast<long double>(part) /
                             static_cast<long double>(whole);
  return Notional::from_raw(static_cast<Int128>(scaled));
}

Notional mark(Quantity base, Quantity quote, Price mid) { return Notional::from_quantity(quote) + base * mid; }

}  // namespace

PerformanceTracker::PerformanceTracker(model::Asset base, model::Asset quote, Quantity start_base,
                                       Quantity start_quote, Duration sample_interval)
    : base_(base),
      quote_(quote),
      start_base_(start_base),
      start_quote_(start_quote),
      sample_interval_(sample_interval),
      position_(start_base.raw()) {}

void PerformanceTracker::set_basis(Price mid) {
  if (has_basis_) return;
  has_basis_ = true;
  mid0_ = mid;
  position_cost_ = Notional::from_raw(position_ * mid.raw());
}

void PerformanceTracker::on_order_created(Quantity quantity) { quoted_base_ += quantity; }

void PerformanceTracker::trade(Price price, Quantity quantity, bool buy) {
  Int128 remaining = quantity.raw();
  const Int128 direction = buy ? 1 : -1;
  // Closing part: the trade goes against the position.
  if (position_ != 0 && (position_ > 0) != buy) {
    const Int128 held = position_ > 0 ? position_ : -position_;
    const Int128 closed = std::min(remaining, held);
    const Notional removed = proportion(position_cost_, closed, held);
    const Notional proceeds = Notional::from_raw(static_cast<Int128>(price.raw()) * closed);
    // Long: sold at `price`, bought at cost. Short (cost negative): bought back at `price`, sold
    // at -cost.
    realized_ += position_ > 0 ? proceeds - removed : -removed - proceeds;
    position_cost_ -= removed;
    position_ += direction * closed;
    remaining -= closed;
  }
  if (remaining > 0) {  // opening (or extending) part
    position_cost_ += Notional::from_raw(static_cast<Int128>(price.raw()) * remaining * direction);
    position_ += direction * remaining;
  }
}

void PerformanceTracker::on_fill(const model::OrderFilled& fill, std::optional<Price> mid) {
  if (mid) set_basis(*mid);
  if (!has_basis_) set_basis(fill.price);  // no book yet: the first trade's price is the best mark
  const bool buy = fill.side == model::Side::Buy;
  trade(fill.price, fill.amount, buy);

  if (!fill.fee.amount.is_zero()) {
    if (fill.fee.asset == quote_) {
      fees_quote_ += Notional::from_quantity(fill.fee.amount);
    } else if (fill.fee.asset == base_) {
      // Base disposed of at the fill's price (realizing against the average cost); the proceeds
      // are the fee.
      trade(fill.price, fill.fee.amount, /*buy=*/false);
      fees_quote_ += fill.fee.amount * fill.price;
    } else {
      ++other_fee_assets_;
    }
  }

  ++fills_;
  (buy ? buys_ : sells_) += 1;
  volume_base_ += fill.amount;
  volume_quote_ += fill.amount * fill.price;
  if (fill.liquidity == model::Liquidity::Maker) maker_volume_ += fill.amount;
  if (mid && !mid->is_zero()) {
    const double m = mid->to_double();
    const double p = fill.price.to_double();
    const double captured = buy ? (m - p) / m : (p - m) / m;
    const double w = fill.amount.to_double();
    spread_weighted_ += w * captured;
    spread_weight_ += w;
  }
}

void PerformanceTracker::on_mid_after_fill(Horizon horizon, model::Side side, Quantity amount, Price mid_at_fill,
                                           Price mid_later) {
  if (mid_at_fill.is_zero()) return;
  const auto h = static_cast<std::size_t>(horizon);
  const double m0 = mid_at_fill.to_double();
  const double m1 = mid_later.to_double();
  const double adverse = side == model::Side::Buy ? (m0 - m1) / m0 : (m1 - m0) / m0;
  const double w = amount.to_double();
  adverse_weighted_[h] += w * adverse;
  adverse_weight_[h] += w;
  ++adverse_fills_[h];
}

EquityPoint PerformanceTracker::on_sample(std::optional<Price> mid, Quantity base, Quantity quote) {
  if (!mid) return {};
  set_basis(*mid);
  last_mid_ = *mid;
  EquityPoint point;
  point.equity = mark(base, quote, *mid);
  point.pnl = point.equity - mark(start_base_, start_quote_, *mid);

  if (previous_equity_ && !previous_equity_->is_zero()) {
    const double r = point.equity.to_double() / previous_equity_->to_double() - 1.0;
    ++returns_;
    const double delta = r - mean_;
    mean_ += delta / static_cast<double>(returns_);
    m2_ += delta * (r - mean_);
    if (r < 0) downside_squares_ += r * r;
  }
  previous_equity_ = point.equity;

  if (!peak_ || point.equity > *peak_) peak_ = point.equity;
  const Notional drawdown = *peak_ - point.equity;
  point.drawdown_pct = peak_->is_zero() ? 0 : 100.0 * ratio(drawdown, *peak_);
  if (drawdown > max_drawdown_) max_drawdown_ = drawdown;
  max_drawdown_pct_ = std::max(max_drawdown_pct_, point.drawdown_pct);
  return point;
}

PerformanceMetrics PerformanceTracker::finish(std::optional<Price> end_mid, Quantity end_base,
                                              Quantity end_quote) const {
  PerformanceMetrics m;
  const std::optional<Price> mid = end_mid ? end_mid : last_mid_;
  m.realized_pnl = realized_;
  m.fees_quote = fees_quote_;
  m.other_fee_assets = other_fee_assets_;
  if (mid) m.unrealized_pnl = Notional::from_raw(position_ * mid->raw()) - position_cost_;
  m.total_pnl = m.realized_pnl + m.unrealized_pnl - m.fees_quote;

  m.traded_volume_base = volume_base_;
  m.traded_volume_quote = volume_quote_;
  m.fill_count = fills_;
  m.buy_fills = buys_;
  m.sell_fills = sells_;
  m.maker_share = volume_base_.is_zero() ? 0 : maker_volume_.to_double() / volume_base_.to_double();
  m.fill_ratio = quoted_base_.is_zero() ? 0 : volume_base_.to_double() / quoted_base_.to_double();

  if (has_basis_ && mid) {
    m.start_value = mark(start_base_, start_quote_, mid0_);
    m.end_value = mark(end_base, end_quote, *mid);
    m.hold_value = mark(start_base_, start_quote_, *mid);
    m.return_pct = 100.0 * ratio(m.total_pnl, m.start_value);
    m.hold_return_pct = 100.0 * ratio(m.hold_value - m.start_value, m.start_value);
    m.return_vs_hold_pct = 100.0 * ratio(m.end_value - m.hold_value, m.hold_value);
  }

  m.ratio_interval = sample_interval_;
  if (returns_ >= 2) {
    const double seconds = std::chrono::duration<double>(sample_interval_).count();
    const double annualize = seconds > 0 ? std::sqrt(kSecondsPerYear / seconds) : 0;
    const double variance = m2_ / static_cast<double>(returns_ - 1);
    const double downside = std::sqrt(downside_squares_ / static_cast<double>(returns_));
    if (variance > 0) m.sharpe = mean_ / std::sqrt(variance) * annualize;
    if (downside > 0) m.sortino = mean_ / downside * annualize;
  }
  m.max_drawdown_quote = max_drawdown_;
  m.max_drawdown_pct = max_drawdown_pct_;

  m.spread_captured_bps = spread_weight_ > 0 ? 1e4 * spread_weighted_ / spread_weight_ : 0;
  m.adverse_selection_1s_bps = adverse_weight_[0] > 0 ? 1e4 * adverse_weighted_[0] / adverse_weight_[0] : 0;
  m.adverse_selection_10s_bps = adverse_weight_[1] > 0 ? 1e4 * adverse_weighted_[1] / adverse_weight_[1] : 0;
  m.adverse_selection_1s_fills = adverse_fills_[0];
  m.adverse_selection_10s_fills = adverse_fills_[1];
  return m;
}

}  // namespace colibri::runtime
