#pragma once
// FixedString<N>: a short string stored inline (no heap), for identifiers that travel on hot
// paths — symbols, asset codes, client order ids, exchange ids. Holds at most N bytes.
// Value type; comparisons are bytewise; hashable (std::hash specialisation below).

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "colibri/core/result.h"

namespace colibri {

template <std::size_t N>
class FixedString {
  static_assert(N > 0 && N < 256, "FixedString holds 1..255 bytes");

 public:
  static constexpr std::size_t kCapacity = N;

  constexpr FixedString() = default;
  // InvalidArgument when `text` is longer than N bytes.
  static Result<FixedString> from(std::string_view text) {
    if (text.size() > N) {
      return fail(ErrorCode::InvalidArgument, "\"{}\" is longer than {} bytes", text.substr(0, 64), N);
    }
    FixedString s;
    // memcpy from a null pointer is undefined even for 0 bytes (an empty string_view may hold one).
    if (!text.empty()) std::memcpy(s.chars_.data(), text.data(), text.size());
    s.size_ = static_cast<std::uint8_t>(text.size());
    return s;
  }
  // For literals and values already known to fit; truncates otherwise (never use on input).
  static FixedString truncating(std::string_view text) noexcept {
    FixedString s;
    const std::size_t n = text.size() < N ? text.size() : N;
    if (n != 0) std::memcpy(s.chars_.data(), text.data(), n);
    s.size_ = static_cast<std::uint8_t>(n);
    return s;
  }

  [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars_.data(), size_}; }
  [[nodiscard]] std::string str() const { return std::string(view()); }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }

  // A hash of the whole inline array and the size: equal strings hash equally because the bytes
  // past size() are always zero (every constructor starts from a zeroed array; nothing mutates).
  // Whole 8-byte words mixed by multiplication, then a final avalanche (SplitMix64's). Why not
  // std::hash<std::string_view>: libstdc++ hashes byte by byte (Murmur2), which made hashing
  // 36-byte client order ids 3 % of a backtest's instructions at 100 ms ticks (each tick looks up
  // every live order by id); this is about a fifth of the instructions.
  [[nodiscard]] std::size_t hash() const noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ size_;
    const auto mix = [&h](std::uint64_t word) {
      h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 29;
    };
    for (std::size_t i = 0; i < N / 8; ++i) mix(full_word(i));
    if constexpr (N % 8 != 0) mix(tail_word());
    h ^= h >> 32;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return static_cast<std::size_t>(h);
  }

  // Equal strings have equal sizes and equal arrays (the bytes past size() are zero): compared a
  // word at a time, inline. (Comparing views called memcmp: 2 % of a backtest's instructions, from
  // symbol and order id look-ups.)
  friend bool operator==(const FixedString& a, const FixedString& b) noexcept {
    std::uint64_t differ = a.size_ ^ b.size_;
    for (std::size_t i = 0; i < N / 8; ++i) differ |= a.full_word(i) ^ b.full_word(i);
    if constexpr (N % 8 != 0) differ |= a.tail_word() ^ b.tail_word();
    return differ == 0;
  }
  friend auto operator<=>(const FixedString& a, const FixedString& b) noexcept { return a.view() <=> b.view(); }
  friend bool operator==(const FixedString& a, std::string_view b) noexcept { return a.view() == b; }

 private:
  // The array as 8-byte words: the i-th whole one, and the N % 8 bytes after the last whole one
  // (zero-padded). Every copy has a size known at compile time: one load, not a call to memcpy.
  [[nodiscard]] std::uint64_t full_word(std::size_t i) const noexcept {
    std::uint64_t w;
    std::memcpy(&w, chars_.data() + i * 8, 8);
    return w;
  }
  [[nodiscard]] std::uint64_t tail_word() const noexcept {
    std::uint64_t w = 0;
    std::memcpy(&w, chars_.data() + N / 8 * 8, N % 8);
    return w;
  }

  std::array<char, N> chars_{};
  std::uint8_t size_ = 0;
};

template <std::size_t N>
std::ostream& operator<<(std::ostream& out, const FixedString<N>& s) {
  return out << s.view();
}

}  // namespace colibri

template <std::size_t N>
struct std::hash<colibri::FixedString<N>> {
  std::size_t operator()(const colibri::FixedString<N>& s) const noexcept {
    return s.hash();
  }
};

template <std::size_t N>
struct fmt::formatter<colibri::FixedString<N>> : fmt::formatter<std::string_view> {
  auto format(const colibri::FixedString<N>& s, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};
