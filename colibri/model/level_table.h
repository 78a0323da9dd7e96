#pragma once
// LevelTable: price levels far from the touch, keyed by tick index — an open-addressing hash
// table (linear probing, Fibonacci hashing, backward-shift deletion: no tombstones), so that a
// deep update costs O(1) instead of a tree walk. Unordered: ordered walks sort a copy
// (they are rare: only queries reaching past the dense window around the touch).
// Not thread-safe. Allocates only when it grows (at half load); clear() keeps the capacity.
// Invariants: (1) an empty slot has key kEmpty; (2) every stored quantity is > 0; (3) every key
//   sits in the probe run that starts at its home slot (no gaps between home and slot).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace colibri::model::detail {

class LevelTable {
 public:
  LevelTable() { rehash(64); }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  // Quantity at `key`, or 0.
  [[nodiscard]] std::int64_t get(std::int64_t key) const noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return slots_[i].quantity;
      if (slots_[i].key == kEmpty) return 0;
    }
  }

  // Sets the quantity at `key`; zero erases.
  void set(std::int64_t key, std::int64_t quantity) {
    if (quantity == 0) {
      erase(key);
      return;
    }
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        slots_[i].quantity = quantity;
        return;
      }
      if (slots_[i].key == kEmpty) break;
    }
    slots_[i] = {key, quantity};
    if (++size_ * 2 > slots_.size()) rehash(slots_.size() * 2);
  }

  void clear() noexcept {
    for (Slot& s : slots_) s.key = kEmpty;
    size_ = 0;
  }

  // Calls fn(key, quantity) for every level, in no particular order.
  template <typename Fn>
  void for_each_unordered(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) fn(s.key, s.quantity);
    }
  }

  // Highest key; precondition: !empty(). O(capacity).
  [[nodiscard]] std::int64_t max_key() const noexcept {
    std::int64_t best = std::numeric_limits<std::int64_t>::min();
    for (const Slot& s : slots_) {
      if (s.key != kEmpty && s.key > best) best = s.key;
    }
    return best;
  }

  // Removes every level with key >= `threshold`, appending them to `out`. O(capacity).
  void extract_at_or_above(std::int64_t threshold, std::vector<std::pair<std::int64_t, std::int64_t>>& out) {
    const std::size_t first = out.size();
    for (const Slot& s : slots_) {
      if (s.key != kEmpty && s.key >= threshold) out.emplace_back(s.key, s.quantity);
    }
    for (std::size_t i = first; i < out.size(); ++i) erase(out[i].first);
  }

 private:
  static constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
  struct Slot {
    std::int64_t key = kEmpty;
    std::int64_t quantity = 0;
  };

  [[nodiscard]] std::size_t home(std::int64_t key) const noexcept {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void erase(std::int64_t key) noexcept {
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) return;  // absent
      if (slots_[i].key == key) break;
    }
    // Backward shift: pull later members of the probe run into the hole when their home allows.
    std::size_t hole = i;
    for (std::size_t j = (hole + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const bool home_after_hole = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
      if (!home_after_hole) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].key = kEmpty;
    --size_;
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    unsigned bits = 0;
    while ((std::size_t{1} << bits) < capacity) ++bits;
    shift_ = 64 - bits;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != kEmpty) set(s.key, s.quantity);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace colibri::model::detail
