#pragma once
// OrderBook: one market's L2 book — aggregate quantity per price level on each side — with
// Hummingbot's queries (price for volume, VWAP for volume, volume for price, quote volume for
// price).
//
// Not thread-safe: owned by the bot's event-loop thread (DESIGN.md decision 2).
// Invariants: (1) no stored level has zero or negative quantity; (2) every stored price is a
//   positive multiple of tick_size(); (3) crossed books are representable (a venue can send one)
//   — is_crossed() reports it and BookSync treats it as out of sync.
//
// How a level update meets the ≤ 10 ns budget (DESIGN.md "Performance budgets"; measured figures
// and method in docs/BENCHMARKS.md):
//   prices are stored as tick indices in a dense "ladder" window per side (a quantity array and
//   an occupancy bitmap) positioned around the touch, where almost all updates land. Setting a
//   level there is one multiply and shift (division by the tick through a precomputed
//   reciprocal), one read-modify-write of a bitmap word, which also says whether the level
//   existed, and one store of the quantity that nothing waits for: O(1), no allocation, no
//   memmove, no load from the 512 KiB quantity array on the update's critical path, and no
//   branch on the update's side or on whether it removes the level (either would be
//   mispredicted on a third or more of real updates, at ~5 ns a miss). The best
//   price is kept as a slot index; when the best level is removed the next one is found by
//   scanning the bitmap 64 ticks per word. The window is wide (65536 ticks) because spot diffs
//   touch levels far behind the touch: levels outside it (deep levels) live in an
//   open-addressing hash table (LevelTable), O(1) too but a cache miss and a probe loop each, so
//   the window keeps them to a few per cent of updates. The window re-centres itself
//   (O(window/64 + levels)) when the touch leaves its upper three quarters, keeping the touch
//   inside it.
//   bench/bench_order_book.cc measures it against a std::map book.
//
// The tick is learnt when not given: a snapshot's prices set it to their greatest common
// divisor, and a level that is not a multiple of the current tick re-indexes the book on the
// finer common divisor (O(levels), rare and never wrong).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/zeroed_array.h"
#include "colibri/core/result.h"
#include "colibri/model/level_table.h"
#include "colibri/model/market_data.h"

namespace colibri::model {

namespace detail {

// Exact division of non-negative 63-bit integers by a fixed divisor through a reciprocal
// (Granlund & Montgomery 1994, theorem 4.2 with N = 63): q = (n * m) >> (63 + l).
class TickDivider {
 public:
  explicit TickDivider(std::uint64_t divisor = 1) noexcept { reset(divisor); }
  void reset(std::uint64_t divisor) noexcept;
  [[nodiscard]] std::uint64_t divisor() const noexcept { return divisor_; }
  // Returns n / divisor; sets `exact` to whether the division leaves no remainder.
  [[nodiscard]] std::uint64_t divide(std::uint64_t n, bool& exact) const noexcept {
    // (n * m) >> (63 + l) computed as the high word of (2n * m), shifted by l: one multiply and
    // one shift instead of a 128-bit shift (n < 2^63, so 2n does not overflow).
    const auto q = static_cast<std::uint64_t>((static_cast<UInt128>(n << 1) * magic_) >> 64) >> extra_shift_;
    exact = q * divisor_ == n;
    return q;
  }

 private:
  std::uint64_t divisor_ = 1;
  std::uint64_t magic_ = 0;
  unsigned extra_shift_ = 0;  // l
};

// One side of the book in "key" space, where a larger key is a better price (bids: key = tick
// index; asks: key = -tick index), so both sides share one implementation.
// Invariants: (1) qty_[s] > 0 iff bit s of occupied_ is set; window_count_ is their number;
//   (2) no level exists with key >= base_ + window (the window's top is above the best);
//   (3) far_ holds exactly the levels with key < base_, all with quantity > 0;
//   (4) when the side is non-empty, the window is non-empty and best_slot_ is its highest
//   occupied slot; when empty, best_slot_ == -1 and far_ is empty.
class LadderSide {
 public:
  explicit LadderSide(std::uint32_t window_ticks);

  void clear() noexcept;
  // Sets the quantity at `key` (raw units of 1e-8); zero removes the level. The common case —
  // a key inside the window — is inline and branch-light.
  void set(std::int64_t key, std::int64_t quantity) {
    const std::int64_t slot = key - base_;
    if (static_cast<std::uint64_t>(slot) < window_ && anchored_) [[likely]] {
      set_in_window(static_cast<std::size_t>(slot), quantity);
      if (best_slot_ < quarter_) [[unlikely]] rebalance();
      return;
    }
    set_outside_window(key, quantity);
  }
  // set() for a run of levels: `level_at(i, key, quantity)` gives the i-th level's key and
  // quantity, or false for a level this run must not set. Sets levels in order while they land in
  // the window, keeping the side's state in registers across them (set() re-reads it from memory
  // for each level: the stores to the arrays might alias it). Returns how many it set; the level
  // after them (if any) was refused by level_at or lies outside the window: the caller deals with
  // it and calls again for the rest.
  template <typename LevelAt>
  std::size_t set_run(std::size_t count, LevelAt&& level_at) {
    if (!anchored_) return 0;
    const std::int64_t base = base_;
    const std::uint64_t window = window_;
    const std::int64_t quarter = quarter_;
    std::uint64_t* const occupied = occupied_.data();
    std::int64_t* const qty = qty_.data();
    WindowState state{best_slot_, window_count_};
    std::size_t i = 0;
    while (i < count) {
      std::int64_t key = 0;
      std::int64_t quantity = 0;
      if (!level_at(i, key, quantity)) break;
      const std::int64_t slot = key - base;
      if (static_cast<std::uint64_t>(slot) >= window) break;
      update_in_window(occupied, qty, state, slot, quantity);
      ++i;
      if (state.best_slot < quarter) [[unlikely]] break;  // set() would rebalance: done below
    }
    best_slot_ = state.best_slot;
    window_count_ = state.count;
    if (i > 0 && best_slot_ < quarter_) rebalance();
    return i;
  }
  [[nodiscard]] bool empty() const noexcept { return best_slot_ < 0; }
  [[nodiscard]] std::size_t size() const noexcept { return window_count_ + far_.size(); }
  // Precondition: !empty().
  [[nodiscard]] std::int64_t best_key() const noexcept { return base_ + best_slot_; }
  [[nodiscard]] std::int64_t best_quantity() const noexcept {
    return qty_[static_cast<std::size_t>(best_slot_)];
  }
  [[nodiscard]] std::int64_t quantity_at(std::int64_t key) const;
  [[nodiscard]] std::size_t window_ticks() const noexcept { return qty_.size(); }

  // Calls fn(key, quantity) from the best level outwards while fn returns true. Levels past the
  // window are sorted on demand (O(n log n) of them), which only deep walks pay.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    std::int64_t slot = best_slot_;
    while (slot >= 0) {
      if (!fn(base_ + slot, qty_[static_cast<std::size_t>(slot)])) return;
      slot = highest_occupied_below(slot);
    }
    if (far_.empty()) return;
    far_sorted_.clear();
    far_.for_each_unordered([this](std::int64_t key, std::int64_t qty) { far_sorted_.emplace_back(key, qty); });
    std::sort(far_sorted_.begin(), far_sorted_.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [key, qty] : far_sorted_) {
      if (!fn(key, qty)) return;
    }
  }

 private:
  [[nodiscard]] std::int64_t highest_occupied_below(std::int64_t slot) const noexcept;
  // The side's state an in-window update changes, besides the arrays.
  struct WindowState {
    std::int64_t best_slot;
    std::size_t count;
  };
  void set_in_window(std::size_t slot, std::int64_t quantity) noexcept {
    WindowState state{best_slot_, window_count_};
    update_in_window(occupied_.data(), qty_.data(), state, static_cast<std::int64_t>(slot), quantity);
    best_slot_ = state.best_slot;
    window_count_ = state.count;
  }
  // One in-window update on `state` and the arrays (set_in_window's, and set_run's for each of its
  // levels, which passes the arrays' addresses once for the run).
  void update_in_window(std::uint64_t* occupied, std::int64_t* qty, WindowState& state, std::int64_t s,
                        std::int64_t quantity) const noexcept {
    // Whether the level existed is read from the bitmap (one bit per tick: 8 KiB per side, small
    // enough to stay cached), never from qty_: the quantity is only stored, so a cache miss on
    // it does not stall the update.
    std::uint64_t& word = occupied[static_cast<std::size_t>(s) >> 6];
    const unsigned bit = static_cast<unsigned>(s & 63);
    const std::uint64_t was = (word >> bit) & 1;
    const auto now = static_cast<std::uint64_t>(quantity != 0);
    // Written without a branch on `now`: a third to a half of real updates are removals, in no
    // predictable order. s | (now - 1) is s for a set level and -1 for a removal.
    const std::int64_t best = std::max(state.best_slot, s | (static_cast<std::int64_t>(now) - 1));
    word ^= (was ^ now) << bit;
    state.count = state.count + now - was;
    state.best_slot = best;
    qty[s] = quantity;
    // One test for "the best level was removed" (now == 0 and s == best), kept in one compare so
    // that the compiler does not split it back into a branch on `now`.
    if (((static_cast<std::uint64_t>(s ^ best)) | now) == 0) [[unlikely]] state.best_slot = highest_occupied_below(s);
  }
  void set_outside_window(std::int64_t key, std::int64_t quantity);
  // Re-centres when the touch drifted into the window's lowest quarter or the window emptied.
  void rebalance();
  void recentre(std::int64_t best_key);

  ZeroedArray<std::int64_t> qty_;  // slot s holds key base_ + s; pages untouched until used (calloc)
  std::vector<std::uint64_t> occupied_;              // one bit per slot
  std::uint64_t window_ = 0;                         // qty_.size()
  std::int64_t quarter_ = 0;                         // window_ / 4
  std::int64_t base_ = 0;
  std::int64_t best_slot_ = -1;
  std::size_t window_count_ = 0;
  bool anchored_ = false;                            // the window has been placed
  LevelTable far_;                                   // keys < base_
  std::vector<std::pair<std::int64_t, std::int64_t>> scratch_;             // reused by recentre()
  mutable std::vector<std::pair<std::int64_t, std::int64_t>> far_sorted_;  // reused by for_each()
};

}  // namespace detail

// Hummingbot's OrderBookQueryResult, with "not available" (NaN there) as an empty optional.
struct BookQueryResult {
  std::optional<Price> result_price;  // the level price reached, or the VWAP
  Quantity result_volume;             // base volume found (capped at the requested volume)
  Notional result_quote_volume;       // quote volume for the quote queries, cost for VWAP
};

class OrderBook {
 public:
  // Default window: 65536 ticks per side (512 KiB of quantities and 8 KiB of bitmap per side; at
  // BTCUSDT's 0.01 tick it spans 491 USDT behind the touch and 164 USDT ahead of it). Spot diffs
  // reach levels up to 10 % from the touch: 15 % of the spot BTCUSDT sample's diff levels lie
  // further behind the touch than a 16384-tick window reaches, 6 % beyond this one.
  // `tick_size` zero means "learn it from the data".
  static constexpr std::uint32_t kDefaultWindowTicks = 1u << 16;
  explicit OrderBook(Price tick_size = Price::zero(), std::uint32_t window_ticks = kDefaultWindowTicks);

  // Replaces the whole book. Levels with zero quantity are ignored. Errors (InvalidArgument)
  // name the offending level; the book is then empty.
  [[nodiscard]] Result<void> apply_snapshot(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks);
  // Sets one level (quantity zero removes it; removing an absent level is a no-op).
  // InvalidArgument for a non-positive price or a negative quantity; the book is unchanged.
  [[nodiscard]] Result<void> apply_level(BookSide side, PriceLevel level) {
    std::int64_t key = 0;
    if (!fast_key(tick_, tick_known_, side, level, key)) [[unlikely]] return apply_level_slow(side, level);
    ladder(side).set(key, level.quantity.raw());
    return {};
  }
  // Applies a diff's levels in order; stops at the first invalid level (earlier ones stay).
  [[nodiscard]] Result<void> apply_levels(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks);
  // Applies one side's levels in order, skipping invalid ones (as apply_level refuses them; the
  // others stay applied). Returns how many it skipped.
  [[nodiscard]] std::size_t apply_side_skipping_invalid(BookSide side, std::span<const PriceLevel> levels);
  void clear() noexcept;

  [[nodiscard]] Price tick_size() const noexcept { return Price::from_raw(static_cast<std::int64_t>(tick_.divisor())); }
  [[nodiscard]] bool empty(BookSide side) const noexcept { return ladder(side).empty(); }
  [[nodiscard]] std::size_t level_count(BookSide side) const noexcept { return ladder(side).size(); }
  [[nodiscard]] std::optional<PriceLevel> best_bid() const noexcept { return best(BookSide::Bid); }
  [[nodiscard]] std::optional<PriceLevel> best_ask() const noexcept { return best(BookSide::Ask); }
  [[nodiscard]] std::optional<PriceLevel> best(BookSide side) const noexcept;
  // (best bid + best ask) / 2, rounded to the nearest 1e-8 (ties to even); empty if a side is.
  [[nodiscard]] std::optional<Price> mid_price() const noexcept;
  // best ask - best bid; empty if a side is.
  [[nodiscard]] std::optional<Price> spread() const noexcept;
  // Both sides present and best bid >= best ask.
  [[nodiscard]] bool is_crossed() const noexcept;
  // Quantity resting at exactly `price` (zero if none).
  [[nodiscard]] Quantity quantity_at(BookSide side, Price price) const;

  // Calls fn(const PriceLevel&) from the best level outwards while fn returns true.
  template <typename Fn>
  void for_each_level(BookSide side, Fn&& fn) const {
    ladder(side).for_each([&](std::int64_t key, std::int64_t qty) {
      return fn(PriceLevel{key_price(side, key), Quantity::from_raw(qty)});
    });
  }

  // Hummingbot's queries. A taker `Buy` walks the asks, a `Sell` walks the bids.
  // Price of the level at which the cumulative volume reaches `volume`; result_volume is
  // min(cumulative, volume); no price when the side holds less.
  [[nodiscard]] BookQueryResult price_for_volume(Side taker, Quantity volume) const;
  // Volume-weighted average price of taking `volume` (rounded to nearest 1e-8), with its cost
  // in result_quote_volume; no price when the side holds less.
  [[nodiscard]] BookQueryResult vwap_for_volume(Side taker, Quantity volume) const;
  // Base volume at prices up to `price` (Buy: asks <= price; Sell: bids >= price); result_price
  // is the last level included.
  [[nodiscard]] BookQueryResult volume_for_price(Side taker, Price price) const;
  // Quote volume (sum of price × quantity) at prices up to `price`, as volume_for_price.
  [[nodiscard]] BookQueryResult quote_volume_for_price(Side taker, Price price) const;

 private:
  // The side and the key's sign are selected by index and arithmetic, not by a branch: a stream
  // that alternates sides unpredictably (one level per call) would otherwise mispredict half
  // of its updates, which costs more than the update itself.
  [[nodiscard]] const detail::LadderSide& ladder(BookSide side) const noexcept {
    return sides_[static_cast<std::size_t>(side)];
  }
  [[nodiscard]] detail::LadderSide& ladder(BookSide side) noexcept { return sides_[static_cast<std::size_t>(side)]; }
  [[nodiscard]] const detail::LadderSide& bids() const noexcept { return ladder(BookSide::Bid); }
  [[nodiscard]] const detail::LadderSide& asks() const noexcept { return ladder(BookSide::Ask); }
  // Bids: key = ticks; asks: key = -ticks.
  [[nodiscard]] static std::int64_t key_of(BookSide side, std::int64_t ticks) noexcept {
    const std::int64_t flip = -static_cast<std::int64_t>(side == BookSide::Ask);  // 0 or all ones
    return (ticks ^ flip) - flip;
  }
  // The fast path's test of a level: on a known tick, a positive price, a non-negative quantity;
  // then `key` is its ladder key. False: apply_level_slow() decides (it may learn a finer tick).
  [[nodiscard]] static bool fast_key(const detail::TickDivider& tick, bool tick_known, BookSide side,
                                     const PriceLevel& level, std::int64_t& key) noexcept {
    bool exact = false;
    const auto ticks = static_cast<std::int64_t>(tick.divide(static_cast<std::uint64_t>(level.price.raw()), exact));
    if (!exact || !tick_known || !level.price.is_positive() || level.quantity.is_negative()) [[unlikely]] return false;
    key = key_of(side, ticks);
    return true;
  }
  // The price at a ladder key: key_of undone (negating twice is the identity), times the tick.
  [[nodiscard]] Price key_price(BookSide side, std::int64_t key) const noexcept {
    return Price::from_raw(key_of(side, key) * static_cast<std::int64_t>(tick_.divisor()));
  }
  Result<void> apply_level_slow(BookSide side, PriceLevel level);
  // Applies one side's levels in order, in runs through LadderSide::set_run; a level a run stops
  // at goes through apply_level, and an error from it to on_error(error), which returns whether
  // to go on. Returns false when on_error stopped it.
  template <BookSide kSide, typename OnError>
  bool apply_side(std::span<const PriceLevel> levels, OnError&& on_error);
  // Re-indexes every level on a new tick that divides the old one.
  void retick(std::uint64_t new_tick);

  detail::TickDivider tick_;
  bool tick_known_ = false;
  std::array<detail::LadderSide, 2> sides_;  // indexed by BookSide: bids, asks
};

}  // namespace colibri::model
