#include "colibri/model/order_book.h"

#include <bit>
#include <cassert>
#include <numeric>

namespace colibri::model {
namespace detail {

void TickDivider::reset(std::uint64_t divisor) noexcept {
  assert(divisor > 0);
  divisor_ = divisor;
  // l = ceil(log2 d); m = ceil(2^(63+l) / d) < 2^64 because 2^l < 2d.
  const unsigned l = divisor <= 1 ? 0u : static_cast<unsigned>(std::bit_width(divisor - 1));
  extra_shift_ = l;
  const UInt128 numerator = static_cast<UInt128>(1) << (63 + l);
  magic_ = static_cast<std::uint64_t>((numerator + divisor - 1) / divisor);
}

LadderSide::LadderSide(std::uint32_t window_ticks)
    : qty_(std::max<std::uint32_t>(window_ticks, 64) / 64 * 64),
      occupied_(qty_.size() / 64, 0),
      window_(qty_.size()),
      quarter_(static_cast<std::int64_t>(qty_.size() / 4)) {}

void LadderSide::clear() noexcept {
  // Only occupied slots hold non-zero quantities: O(window / 64 + levels), not a 512 KiB fill.
  for (std::size_t word = 0; word < occupied_.size(); ++word) {
    for (std::uint64_t bits = occupied_[word]; bits != 0; bits &= bits - 1) {
      qty_[word * 64 + static_cast<std::size_t>(std::countr_zero(bits))] = 0;
    }
    occupied_[word] = 0;
  }
  base_ = 0;
  best_slot_ = -1;
  window_count_ = 0;
  anchored_ = false;
  far_.clear();
}

std::int64_t LadderSide::highest_occupied_below(std::int64_t slot) const noexcept {
  auto word = static_cast<std::size_t>(slot >> 6);
  std::uint64_t bits = occupied_[word] & ((std::uint64_t{1} << (slot & 63)) - 1);
  while (bits == 0) {
    if (word == 0) return -1;
    bits = occupied_[--word];
  }
  return static_cast<std::int64_t>(word * 64 + 63 - static_cast<std::size_t>(std::countl_zero(bits)));
}

void LadderSide::set_outside_window(std::int64_t key, std::int64_t quantity) {
  const auto window = static_cast<std::int64_t>(window_);
  if (!anchored_) {
    if (quantity == 0) return;
    base_ = key - window * 3 / 4;
    anchored_ = true;
    set_in_window(static_cast<std::size_t>(key - base_), quantity);
    return;
  }
  if (key - base_ >= window) {
    if (quantity == 0) return;  // nothing exists above the window (invariant 2)
    recentre(key);
    set_in_window(static_cast<std::size_t>(key - base_), quantity);
    return;
  }
  far_.set(key, quantity);  // below the window
  if (quantity != 0 && best_slot_ < 0) recentre(far_.max_key());  // the window was empty
}

void LadderSide::rebalance() {
  if (best_slot_ >= 0) {
    recentre(base_ + best_slot_);
  } else if (!far_.empty()) {
    recentre(far_.max_key());
  }
}

void LadderSide::recentre(std::int64_t best_key) {
  const auto window = static_cast<std::int64_t>(window_);
  const std::int64_t new_base = best_key - window * 3 / 4;
  scratch_.clear();
  for (std::size_t word = 0; word < occupied_.size(); ++word) {
    std::uint64_t bits = occupied_[word];
    while (bits != 0) {
      const std::size_t slot = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
      bits &= bits - 1;
      scratch_.emplace_back(base_ + static_cast<std::int64_t>(slot), qty_[slot]);
      qty_[slot] = 0;
    }
    occupied_[word] = 0;
  }
  far_.extract_at_or_above(new_base, scratch_);
  base_ = new_base;
  best_slot_ = -1;
  window_count_ = 0;
  for (const auto& [key, quantity] : scratch_) {
    const std::int64_t slot = key - base_;
    assert(slot < window);  // best_key is at least every existing key
    if (slot < 0) {
      far_.set(key, quantity);
    } else {
      set_in_window(static_cast<std::size_t>(slot), quantity);
    }
  }
}

std::int64_t LadderSide::quantity_at(std::int64_t key) const {
  if (!anchored_) return 0;
  const std::int64_t slot = key - base_;
  if (slot >= static_cast<std::int64_t>(qty_.size())) return 0;
  if (slot >= 0) return qty_[static_cast<std::size_t>(slot)];
  return far_.get(key);
}

}  // namespace detail

namespace {

Result<void> check_level(BookSide side, const PriceLevel& level) {
  if (!level.price.is_positive()) {
    return fail(ErrorCode::InvalidArgument, "{} level with non-positive price {}", to_string(side), level.price);
  }
  if (level.quantity.is_negative()) {
    return fail(ErrorCode::InvalidArgument, "{} level at {} with negative quantity {}", to_string(side), level.price,
                level.quantity);
  }
  return {};
}

}  // namespace

OrderBook::OrderBook(Price tick_size, std::uint32_t window_ticks)
    : tick_(tick_size.is_positive() ? static_cast<std::uint64_t>(tick_size.raw()) : 1),
      tick_known_(tick_size.is_positive()),
      sides_{detail::LadderSide(window_ticks), detail::LadderSide(window_ticks)} {}

void OrderBook::clear() noexcept {
  for (detail::LadderSide& side : sides_) side.clear();
}

Result<void> OrderBook::apply_snapshot(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks) {
  clear();
  // Learn or refine the tick from the whole snapshot first, so that it is indexed once.
  std::uint64_t tick = tick_known_ ? tick_.divisor() : 0;
  for (const auto side : {BookSide::Bid, BookSide::Ask}) {
    for (const PriceLevel& level : side == BookSide::Bid ? bids : asks) {
      if (auto ok = check_level(side, level); !ok) return ok;
      tick = std::gcd(tick, static_cast<std::uint64_t>(level.price.raw()));
    }
  }
  if (tick != 0 && (!tick_known_ || tick != tick_.divisor())) {
    tick_.reset(tick);
    tick_known_ = true;
  }
  for (const PriceLevel& level : bids) {
    if (auto ok = apply_level(BookSide::Bid, level); !ok) return ok;
  }
  for (const PriceLevel& level : asks) {
    if (auto ok = apply_level(BookSide::Ask, level); !ok) return ok;
  }
  return {};
}

Result<void> OrderBook::apply_level_slow(BookSide side, PriceLevel level) {
  if (!level.price.is_positive() || level.quantity.is_negative()) return check_level(side, level);
  const auto raw_price = static_cast<std::uint64_t>(level.price.raw());
  if (!tick_known_) {
    tick_.reset(raw_price);
    tick_known_ = true;
  }
  bool exact = false;
  auto ticks = static_cast<std::int64_t>(tick_.divide(raw_price, exact));
  if (!exact) {
    if (level.quantity.is_zero()) return {};  // cannot be stored, so it is absent
    retick(std::gcd(tick_.divisor(), raw_price));
    ticks = static_cast<std::int64_t>(tick_.divide(raw_price, exact));
  }
  ladder(side).set(key_of(side, ticks), level.quantity.raw());
  return {};
}

template <BookSide kSide, typename OnError>
bool OrderBook::apply_side(std::span<const PriceLevel> levels, OnError&& on_error) {
  detail::LadderSide& side = ladder(kSide);
  // apply_level's fast path, with the divider copied into a local so that it stays in registers.
  const detail::TickDivider tick = tick_;
  const bool tick_known = tick_known_;
  std::size_t next = 0;
  const auto level_at = [&](std::size_t i, std::int64_t& key, std::int64_t& quantity) {
    const PriceLevel& level = levels[next + i];
    if (!fast_key(tick, tick_known, kSide, level, key)) [[unlikely]] return false;
    quantity = level.quantity.raw();
    return true;
  };
  while (next < levels.size()) {
    next += side.set_run(levels.size() - next, level_at);
    if (next == levels.size()) break;
    if (auto ok = apply_level(kSide, levels[next]); !ok && !on_error(ok.error())) [[unlikely]] return false;
    ++next;
  }
  return true;
}

Result<void> OrderBook::apply_levels(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks) {
  std::optional<Error> failure;
  const auto stop = [&failure](const Error& e) {
    failure = e;
    return false;
  };
  if (!apply_side<BookSide::Bid>(bids, stop) || !apply_side<BookSide::Ask>(asks, stop)) [[unlikely]] {
    return fail(std::move(*failure));
  }
  return {};
}

std::size_t OrderBook::apply_side_skipping_invalid(BookSide side, std::span<const PriceLevel> levels) {
  std::size_t skipped = 0;
  const auto skip = [&skipped](const Error&) {
    ++skipped;
    return true;
  };
  if (side == BookSide::Bid) {
    apply_side<BookSide::Bid>(levels, skip);
  } else {
    apply_side<BookSide::Ask>(levels, skip);
  }
  return skipped;
}

void OrderBook::retick(std::uint64_t new_tick) {
  std::vector<PriceLevel> bids;
  std::vector<PriceLevel> asks;
  for_each_level(BookSide::Bid, [&](const PriceLevel& l) { bids.push_back(l); return true; });
  for_each_level(BookSide::Ask, [&](const PriceLevel& l) { asks.push_back(l); return true; });
  clear();
  tick_.reset(new_tick);
  for (const PriceLevel& l : bids) (void)apply_level(BookSide::Bid, l);  // valid: they were stored
  for (const PriceLevel& l : asks) (void)apply_level(BookSide::Ask, l);
}

std::optional<PriceLevel> OrderBook::best(BookSide side) const noexcept {
  const detail::LadderSide& l = ladder(side);
  if (l.empty()) return std::nullopt;
  return PriceLevel{key_price(side, l.best_key()), Quantity::from_raw(l.best_quantity())};
}

std::optional<Price> OrderBook::mid_price() const noexcept {
  if (bids().empty() || asks().empty()) return std::nullopt;
  const Int128 sum = static_cast<Int128>(key_price(BookSide::Bid, bids().best_key()).raw()) +
                     key_price(BookSide::Ask, asks().best_key()).raw();
  return Price::from_raw(static_cast<std::int64_t>(colibri::detail::divide(sum, 2, Rounding::NearestEven)));
}

std::optional<Price> OrderBook::spread() const noexcept {
  if (bids().empty() || asks().empty()) return std::nullopt;
  return key_price(BookSide::Ask, asks().best_key()) - key_price(BookSide::Bid, bids().best_key());
}

bool OrderBook::is_crossed() const noexcept {
  if (bids().empty() || asks().empty()) return false;
  return bids().best_key() >= -asks().best_key();
}

Quantity OrderBook::quantity_at(BookSide side, Price price) const {
  if (!price.is_positive() || !tick_known_) return Quantity::zero();
  bool exact = false;
  const auto ticks = static_cast<std::int64_t>(tick_.divide(static_cast<std::uint64_t>(price.raw()), exact));
  if (!exact) return Quantity::zero();
  return Quantity::from_raw(ladder(side).quantity_at(key_of(side, ticks)));
}

namespace {
BookSide side_walked_by(Side taker) { return taker == Side::Buy ? BookSide::Ask : BookSide::Bid; }
}  // namespace

BookQueryResult OrderBook::price_for_volume(Side taker, Quantity volume) const {
  BookQueryResult result;
  Int128 cumulative = 0;
  for_each_level(side_walked_by(taker), [&](const PriceLevel& level) {
    cumulative += level.quantity.raw();
    if (cumulative >= volume.raw()) {
      result.result_price = level.price;
      return false;
    }
    return true;
  });
  result.result_volume = Quantity::from_raw(static_cast<std::int64_t>(std::min<Int128>(cumulative, volume.raw())));
  return result;
}

BookQueryResult OrderBook::vwap_for_volume(Side taker, Quantity volume) const {
  BookQueryResult result;
  std::int64_t remaining = volume.raw();
  Notional cost;
  for_each_level(side_walked_by(taker), [&](const PriceLevel& level) {
    const std::int64_t take = std::min(remaining, level.quantity.raw());
    cost += level.price * Quantity::from_raw(take);
    remaining -= take;
    return remaining > 0;
  });
  const std::int64_t filled = volume.raw() - remaining;
  result.result_volume = Quantity::from_raw(filled);
  result.result_quote_volume = cost;
  if (remaining == 0 && filled > 0) {
    // cost is in 1e-16 quote units and filled in 1e-8 base units: the quotient is in 1e-8 price
    // units, and cannot exceed the worst level's price.
    result.result_price = Price::from_raw(
        static_cast<std::int64_t>(colibri::detail::divide(cost.raw(), filled, Rounding::NearestEven)));
  }
  return result;
}

BookQueryResult OrderBook::volume_for_price(Side taker, Price price) const {
  BookQueryResult result;
  Quantity cumulative;
  for_each_level(side_walked_by(taker), [&](const PriceLevel& level) {
    if (taker == Side::Buy ? level.price > price : level.price < price) return false;
    cumulative += level.quantity;
    result.result_price = level.price;
    return true;
  });
  result.result_volume = cumulative;
  return result;
}

BookQueryResult OrderBook::quote_volume_for_price(Side taker, Price price) const {
  BookQueryResult result;
  for_each_level(side_walked_by(taker), [&](const PriceLevel& level) {
    if (taker == Side::Buy ? level.price > price : level.price < price) return false;
    result.result_quote_volume += level.price * level.quantity;
    result.result_volume += level.quantity;
    result.result_price = level.price;
    return true;
  });
  return result;
}

}  // namespace colibri::model
