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

}  // namespace

PerformanceTracker::PerformanceTracker(model::Asset quote, Quantity start_quote, std::vector<PortfolioMarket> markets,
                                       Duration sample_interval)
    : quote_(quote), start_quote_(start_quote), sample_interval_(sample_interval) {
  markets_.reserve(markets.size());
  for (const PortfolioMarket& m : markets) {
    Market market;
    market.base = m.base;
    market.start_base = m.start_base;
    market.position = m.start_base.raw();
    markets_.push_back(market);
  }
}

PerformanceTracker::PerformanceTracker(model::Asset base, model::Asset quote, Quantity start_base,
                                       Quantity start_quote, Duration sample_interval)
    : PerformanceTracker(quote, start_quote, {PortfolioMarket{base, start_base}}, sample_interval) {}

void PerformanceTracker::Market::set_basis(Price mid) {
  if (has_basis) return;
  has_basis = true;
  mid0 = mid;
  position_cost = Notional::from_raw(position * mid.raw());
}

void PerformanceTracker::on_order_created(std::size_t market, Quantity quantity, Price price) {
  markets_[market].quoted_base += quantity;
  markets_[market].quoted_quote += quantity * price;
}

void PerformanceTracker::Market::trade(Price price, Quantity quantity, bool buy) {
  Int128 remaining = quantity.raw();
  const Int128 direction = buy ? 1 : -1;
  // Closing part: the trade goes against the position.
  if (position != 0 && (position > 0) != buy) {
    const Int128 held = position > 0 ? position : -position;
    const Int128 closed = std::min(remaining, held);
    const Notional removed = proportion(position_cost, closed, held);
    const Notional proceeds = Notional::from_raw(static_cast<Int128>(price.raw()) * closed);
    // Long: sold at `price`, bought at cost. Short (cost negative): bought back at `price`, sold
    // at -cost.
    realized += position > 0 ? proceeds - removed : -removed - proceeds;
    position_cost -= removed;
    position += direction * closed;
    remaining -= closed;
  }
  if (remaining > 0) {  // opening (or extending) part
    position_cost += Notional::from_raw(static_cast<Int128>(price.raw()) * remaining * direction);
    position += direction * remaining;
  }
}

void PerformanceTracker::on_fill(std::size_t index, const model::OrderFilled& fill, std::optional<Price> mid) {
  Market& market = markets_[index];
  if (mid) market.set_basis(*mid);
  if (!market.has_basis) market.set_basis(fill.price);  // no book yet: the first trade's price is the best mark
  const bool buy = fill.side == model::Side::Buy;
  market.trade(fill.price, fill.amount, buy);

  if (!fill.fee.amount.is_zero()) {
    if (fill.fee.asset == quote_) {
      market.fees_quote += Notional::from_quantity(fill.fee.amount);
    } else if (fill.fee.asset == market.base) {
      // Base disposed of at the fill's price (realizing against the average cost); the proceeds
      // are the fee.
      market.trade(fill.price, fill.fee.amount, /*buy=*/false);
      market.fees_quote += fill.fee.amount * fill.price;
    } else {
      ++market.other_fee_assets;
    }
  }

  ++market.fills;
  (buy ? market.buys : market.sells) += 1;
  market.volume_base += fill.amount;
  market.volume_quote += fill.amount * fill.price;
  if (fill.liquidity == model::Liquidity::Maker) market.maker_volume += fill.amount;
  if (mid && !mid->is_zero()) {
    const double m = mid->to_double();
    const double p = fill.price.to_double();
    const double captured = buy ? (m - p) / m : (p - m) / m;
    const double w = fill.amount.to_double();
    market.spread_weighted += w * captured;
    market.spread_weight += w;
  }
}

void PerformanceTracker::on_mid_after_fill(std::size_t index, Horizon horizon, model::Side side, Quantity amount,
                                           Price mid_at_fill, Price mid_later) {
  if (mid_at_fill.is_zero()) return;
  Market& market = markets_[index];
  const auto h = static_cast<std::size_t>(horizon);
  const double m0 = mid_at_fill.to_double();
  const double m1 = mid_later.to_double();
  const double adverse = side == model::Side::Buy ? (m0 - m1) / m0 : (m1 - m0) / m0;
  const double w = amount.to_double();
  market.adverse_weighted[h] += w * adverse;
  market.adverse_weight[h] += w;
  ++market.adverse_fills[h];
}

EquityPoint PerformanceTracker::on_sample(std::span<const std::optional<Price>> mids, std::span<const Quantity> bases,
                                          Quantity quote) {
  for (const auto& mid : mids) {
    if (!mid) return {};
  }
  EquityPoint point;
  point.marked = true;
  point.equity = Notional::from_quantity(quote);
  Notional hold = Notional::from_quantity(start_quote_);
  for (std::size_t i = 0; i < markets_.size(); ++i) {
    Market& market = markets_[i];
    const Price mid = *mids[i];
    market.set_basis(mid);
    market.last_mid = mid;
    point.equity += bases[i] * mid;
    hold += market.start_base * mid;
  }
  point.pnl = point.equity - hold;

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

void PerformanceTracker::add_trading(const Market& market, std::optional<Price> end_mid, PerformanceMetrics& m) const {
  const std::optional<Price> mid = end_mid ? end_mid : market.last_mid;
  m.realized_pnl += market.realized;
  m.fees_quote += market.fees_quote;
  m.other_fee_assets += market.other_fee_assets;
  if (mid) m.unrealized_pnl += Notional::from_raw(market.position * mid->raw()) - market.position_cost;
  m.traded_volume_base += market.volume_base;
  m.traded_volume_quote += market.volume_quote;
  m.fill_count += market.fills;
  m.buy_fills += market.buys;
  m.sell_fills += market.sells;
}

namespace {

// The ratios of one market's tallies: maker share, fill ratio, the bps figures, weighted by
// quantity.
template <typename Market>
void set_ratios(const Market& market, PerformanceMetrics& m) {
  const double volume = market.volume_base.to_double();
  const double quoted = market.quoted_base.to_double();
  m.maker_share = volume > 0 ? market.maker_volume.to_double() / volume : 0;
  m.fill_ratio = quoted > 0 ? volume / quoted : 0;
  m.spread_captured_bps = market.spread_weight > 0 ? 1e4 * market.spread_weighted / market.spread_weight : 0;
  m.adverse_selection_1s_bps =
      market.adverse_weight[0] > 0 ? 1e4 * market.adverse_weighted[0] / market.adverse_weight[0] : 0;
  m.adverse_selection_10s_bps =
      market.adverse_weight[1] > 0 ? 1e4 * market.adverse_weighted[1] / market.adverse_weight[1] : 0;
  m.adverse_selection_1s_fills = market.adverse_fills[0];
  m.adverse_selection_10s_fills = market.adverse_fills[1];
}

// The same over several markets, whose quantities are of different assets: each market's ratio
// weighted by its quote value (traded volume; quoted value for the fill ratio).
template <typename Markets>
void set_portfolio_ratios(const Markets& markets, PerformanceMetrics& m) {
  double volume = 0, quoted = 0, maker = 0, fill = 0, spread = 0, spread_w = 0;
  double adverse[2] = {0, 0}, adverse_w[2] = {0, 0};
  for (const auto& market : markets) {
    PerformanceMetrics one;
    set_ratios(market, one);
    const double v = market.volume_quote.to_double();
    const double q = market.quoted_quote.to_double();
    volume += v;
    quoted += q;
    maker += one.maker_share * v;
    fill += one.fill_ratio * q;
    if (market.spread_weight > 0) {
      spread += one.spread_captured_bps * v;
      spread_w += v;
    }
    for (std::size_t h = 0; h < 2; ++h) {
      if (market.adverse_weight[h] <= 0) continue;
      adverse[h] += (h == 0 ? one.adverse_selection_1s_bps : one.adverse_selection_10s_bps) * v;
      adverse_w[h] += v;
    }
    m.adverse_selection_1s_fills += one.adverse_selection_1s_fills;
    m.adverse_selection_10s_fills += one.adverse_selection_10s_fills;
  }
  m.maker_share = volume > 0 ? maker / volume : 0;
  m.fill_ratio = quoted > 0 ? fill / quoted : 0;
  m.spread_captured_bps = spread_w > 0 ? spread / spread_w : 0;
  m.adverse_selection_1s_bps = adverse_w[0] > 0 ? adverse[0] / adverse_w[0] : 0;
  m.adverse_selection_10s_bps = adverse_w[1] > 0 ? adverse[1] / adverse_w[1] : 0;
}

}  // namespace

PerformanceMetrics PerformanceTracker::market_metrics(std::size_t index, std::optional<Price> end_mid) const {
  PerformanceMetrics m;
  const Market& market = markets_[index];
  add_trading(market, end_mid, m);
  m.total_pnl = m.realized_pnl + m.unrealized_pnl - m.fees_quote;
  set_ratios(market, m);
  return m;
}

PerformanceMetrics PerformanceTracker::finish(std::span<const std::optional<Price>> end_mids,
                                              std::span<const Quantity> end_bases, Quantity end_quote) const {
  PerformanceMetrics m;
  bool marked = true;  // every market has a basis and an end mark
  m.start_value = Notional::from_quantity(start_quote_);
  m.end_value = Notional::from_quantity(end_quote);
  m.hold_value = Notional::from_quantity(start_quote_);
  for (std::size_t i = 0; i < markets_.size(); ++i) {
    const Market& market = markets_[i];
    add_trading(market, end_mids[i], m);
    const std::optional<Price> mid = end_mids[i] ? end_mids[i] : market.last_mid;
    if (!market.has_basis || !mid) {
      marked = false;
      continue;
    }
    m.start_value += market.start_base * market.mid0;
    m.end_value += end_bases[i] * *mid;
    m.hold_value += market.start_base * *mid;
  }
  m.total_pnl = m.realized_pnl + m.unrealized_pnl - m.fees_quote;
  if (markets_.size() == 1) {
    set_ratios(markets_.front(), m);
  } else {
    set_portfolio_ratios(markets_, m);
    m.traded_volume_base = Quantity();  // BTC and ETH do not add up
  }

  if (marked) {
    m.return_pct = 100.0 * ratio(m.total_pnl, m.start_value);
    m.hold_return_pct = 100.0 * ratio(m.hold_value - m.start_value, m.start_value);
    m.return_vs_hold_pct = 100.0 * ratio(m.end_value - m.hold_value, m.hold_value);
  } else {
    m.start_value = m.end_value = m.hold_value = Notional();
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
  return m;
}

}  // namespace colibri::runtime
