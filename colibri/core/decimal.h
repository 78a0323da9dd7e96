#pragma once
// Price, Quantity and Notional: exact decimal money (DESIGN.md decision 1).
//
// Price and Quantity are distinct fixed-point types: each holds a signed 64-bit count of 10^-8
// units, the precision of every Binance decimal string. Mixing them does not compile.
//   Range of Price and Quantity: ±92,233,720,368.54775807 (INT64 / 10^8).
//   Notional: signed 128-bit count of 10^-16 units (price units × quantity units), range about
//   ±1.7 × 10^22, so one Price × Quantity product always fits and sums are checked.
//
// Operators (T is Price or Quantity):
//   T + T -> T, T - T -> T, -T -> T, T * int64 -> T   checked: overflow throws FixedPointOverflow
//   t.checked_add(T) / checked_sub(T) -> Result<T>     OutOfRange instead of throwing
//   T <=> T                                            total order
//   Price * Quantity -> Notional                       exact, cannot overflow
//   Notional ± Notional -> Notional                    checked: overflow throws FixedPointOverflow
//   Price + Quantity, Price * Price, double -> T       do not compile (use from_double)
// Overflow cannot happen for single operations on values inside the documented range of real
// markets; it throws rather than wraps so that it is never silent. Code that sums untrusted
// values uses checked_add.
//
// Parsing is exact: "61837.63000000" -> 6183763000000 units. Accepted syntax: optional '-',
// one or more digits, optional '.' followed by one or more digits. Digits past the 8th decimal
// must be zeros. Anything else ("", "1.2.3", "NaN", "1e5", "+1", ".5", 40 digits) is an
// InvalidArgument or OutOfRange error naming the text.

#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "colibri/core/result.h"

namespace colibri {

__extension__ using Int128 = __int128;  // GCC and Clang builtin; __extension__ silences -Wpedantic
__extension__ using UInt128 = unsigned __int128;

// Direction for conversions that may lose digits.
enum class Rounding : std::uint8_t {
  Down,         // toward -infinity (floor)
  Up,           // toward +infinity (ceiling)
  TowardZero,   // truncate
  NearestEven,  // to nearest, ties to even
};

class FixedPointOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

namespace detail {
inline constexpr int kDecimals = 8;
inline constexpr std::int64_t kScale = 100'000'000;

// Whether the 8 bytes at p are all ASCII digits, and their value (little-endian SWAR, as in
// simdjson and Lemire's fast_float): a few multiplies instead of eight multiply-adds.
inline bool eight_digits(const char* p, std::uint64_t& value) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    return false;
  } else {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    if ((((v & 0xF0F0F0F0F0F0F0F0) | (((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) !=
         0x3333333333333333)) {
      return false;
    }
    v = ((v & 0x0F0F0F0F0F0F0F0F) * 2561) >> 8;
    v = ((v & 0x00FF00FF00FF00FF) * 6553601) >> 16;
    value = ((v & 0x0000FFFF0000FFFF) * 42949672960001) >> 32;
    return true;
  }
}

// Reads the run of ASCII digits at `p` (stopping at `end`) into `value`, which wraps past 19
// digits (callers bound the count); returns where the run stops.
inline const char* parse_digits(const char* p, const char* const end, std::uint64_t& value) noexcept {
  value = 0;
  while (p != end && static_cast<unsigned>(*p - '0') < 10u) {
    value = value * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  return p;
}

// The common shape of exchange decimals ("61837.63000000", "0.001", "12"), parsed without
// per-digit range checks: at most 11 integer digits (anything longer takes the careful path),
// at most 8 significant decimals (zeros after them are skipped). Parses the decimal that starts
// at `p` and returns where it stops (the first character that cannot continue it, or `end`), or
// nullptr when the text there is not of that shape; a caller whose decimal is delimited (a JSON
// string) checks the delimiter itself. Exactly 8 decimals, Binance's form, are read 8 at a time.
inline const char* parse_fixed_prefix(const char* p, const char* const end, std::int64_t& out) noexcept {
  bool negative = false;
  if (p != end && *p == '-') {
    negative = true;
    ++p;
  }
  const char* const int_start = p;
  std::uint64_t whole = 0;
  p = parse_digits(p, end, whole);
  const auto int_digits = p - int_start;
  if (int_digits == 0 || int_digits > 11) return nullptr;
  std::uint64_t frac = 0;
  int frac_digits = 0;
  if (p != end && *p == '.') {
    ++p;
    if (end - p >= 8 && eight_digits(p, frac)) {
      p += 8;
      frac_digits = 8;
    } else {
      while (p != end && frac_digits < kDecimals && static_cast<unsigned>(*p - '0') < 10u) {
        frac = frac * 10 + static_cast<unsigned>(*p - '0');
        ++p;
        ++frac_digits;
      }
    }
    if (frac_digits == 0) return nullptr;  // "1." has no decimals
    while (p != end && *p == '0') ++p;      // zeros past the 8th decimal lose nothing
  }
  constexpr std::uint64_t kPow10[] = {100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};
  const std::uint64_t magnitude = whole * static_cast<std::uint64_t>(kScale) + frac * kPow10[frac_digits];
  if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) return nullptr;
  out = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  return p;
}

// The whole of `text` in the common shape above; false for anything else, and the careful path
// then decides, with its precise error message.
inline bool parse_fixed_fast(std::string_view text, std::int64_t& out) noexcept {
  const char* const end = text.data() + text.size();
  std::int64_t value = 0;
  const char* const stop = parse_fixed_prefix(text.data(), end, value);
  if (stop == nullptr || stop != end) return false;
  out = value;
  return true;
}

// Parses text into units of 10^-8; `type_name` appears in the error message.
Result<std::int64_t> parse_fixed(std::string_view text, std::string_view type_name);
// Writes `raw` units of 10^-8 with exactly `decimals` (0..18) digits after the point, rounding
// toward zero when decimals < 8. Returns characters written; `out` needs 40 bytes.
std::size_t format_fixed(std::int64_t raw, int decimals, char* out) noexcept;
// Shortest exact text: no trailing zeros, no '.' for integers ("61837.63", "0", "-0.5").
std::size_t format_fixed_shortest(std::int64_t raw, char* out) noexcept;
// Divides with the given rounding; `divisor` > 0.
Int128 divide(Int128 dividend, Int128 divisor, Rounding rounding) noexcept;
Result<std::int64_t> from_double(double value, std::string_view type_name);
[[noreturn]] void throw_overflow(const char* what);
}  // namespace detail

template <typename Tag>
class Fixed {
 public:
  static constexpr int kDecimals = detail::kDecimals;
  static constexpr std::int64_t kScale = detail::kScale;

  constexpr Fixed() = default;
  static constexpr Fixed from_raw(std::int64_t units) noexcept { return Fixed(units); }
  static constexpr Fixed from_int(std::int64_t whole) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(whole, kScale, &r)) detail::throw_overflow("from_int");
    return Fixed(r);
  }
  static constexpr Fixed zero() noexcept { return Fixed(0); }
  static constexpr Fixed max() noexcept { return Fixed(INT64_MAX); }
  static constexpr Fixed min() noexcept { return Fixed(INT64_MIN + 1); }

  // Exact parse of a decimal string (see the syntax at the top of this file).
  static Result<Fixed> parse(std::string_view text) {
    if (std::int64_t fast = 0; detail::parse_fixed_fast(text, fast)) [[likely]] return Fixed(fast);
    auto raw = detail::parse_fixed(text, Tag::kName);
    if (!raw) return tl::unexpected<Error>(std::move(raw.error()));
    return Fixed(*raw);
  }
  // Nearest representable value; InvalidArgument for NaN/infinity, OutOfRange past the range.
  static Result<Fixed> from_double(double value) {
    auto raw = detail::from_double(value, Tag::kName);
    if (!raw) return tl::unexpected<Error>(std::move(raw.error()));
    return Fixed(*raw);
  }

  [[nodiscard]] constexpr std::int64_t raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr bool is_zero() const noexcept { return raw_ == 0; }
  [[nodiscard]] constexpr bool is_negative() const noexcept { return raw_ < 0; }
  [[nodiscard]] constexpr bool is_positive() const noexcept { return raw_ > 0; }
  [[nodiscard]] double to_double() const noexcept {
    return static_cast<double>(raw_) / static_cast<double>(kScale);
  }

  // The nearest multiple of `step` (> 0) in the given direction: how ticks and lots quantize.
  [[nodiscard]] Fixed round_to(Fixed step, Rounding rounding) const {
    const Int128 q = detail::divide(raw_, step.raw_, rounding);
    const Int128 r = q * step.raw_;
    if (r > INT64_MAX || r < INT64_MIN) detail::throw_overflow("round_to");
    return Fixed(static_cast<std::int64_t>(r));
  }
  [[nodiscard]] constexpr bool is_multiple_of(Fixed step) const noexcept {
    return step.raw_ != 0 && raw_ % step.raw_ == 0;
  }

  [[nodiscard]] Result<Fixed> checked_add(Fixed other) const {
    std::int64_t r = 0;
    if (__builtin_add_overflow(raw_, other.raw_, &r)) {
      return fail(ErrorCode::OutOfRange, "{} overflow: {} + {}", Tag::kName, to_string(), other.to_string());
    }
    return Fixed(r);
  }
  [[nodiscard]] Result<Fixed> checked_sub(Fixed other) const {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(raw_, other.raw_, &r)) {
      return fail(ErrorCode::OutOfRange, "{} overflow: {} - {}", Tag::kName, to_string(), other.to_string());
    }
    return Fixed(r);
  }

  constexpr Fixed& operator+=(Fixed o) {
    if (__builtin_add_overflow(raw_, o.raw_, &raw_)) detail::throw_overflow(Tag::kName);
    return *this;
  }
  constexpr Fixed& operator-=(Fixed o) {
    if (__builtin_sub_overflow(raw_, o.raw_, &raw_)) detail::throw_overflow(Tag::kName);
    return *this;
  }
  friend constexpr Fixed operator+(Fixed a, Fixed b) { return a += b; }
  friend constexpr Fixed operator-(Fixed a, Fixed b) { return a -= b; }
  constexpr Fixed operator-() const {
    if (raw_ == INT64_MIN) detail::throw_overflow(Tag::kName);
    return Fixed(-raw_);
  }
  friend constexpr Fixed operator*(Fixed a, std::int64_t k) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a.raw_, k, &r)) detail::throw_overflow(Tag::kName);
    return Fixed(r);
  }
  friend constexpr auto operator<=>(Fixed, Fixed) noexcept = default;

  // Shortest exact text ("61837.63"); exact round trip through parse().
  [[nodiscard]] std::string to_string() const {
    char buf[48];
    return std::string(buf, detail::format_fixed_shortest(raw_, buf));
  }
  // Exactly `decimals` digits after the point (0..18), truncating toward zero when fewer than 8:
  // quantize first (TradingRules) when the direction matters, as for text sent to an exchange.
  [[nodiscard]] std::string to_string(int decimals) const {
    char buf[48];
    return std::string(buf, detail::format_fixed(raw_, decimals, buf));
  }
  // Allocation-free variants for hot paths; `out` needs 48 bytes.
  std::size_t format_to(char* out) const noexcept { return detail::format_fixed_shortest(raw_, out); }
  std::size_t format_to(char* out, int decimals) const noexcept {
    return detail::format_fixed(raw_, decimals, out);
  }

 private:
  constexpr explicit Fixed(std::int64_t raw) noexcept : raw_(raw) {}
  std::int64_t raw_ = 0;
};

struct PriceTag {
  static constexpr const char* kName = "price";
};
struct QuantityTag {
  static constexpr const char* kName = "quantity";
};

using Price = Fixed<PriceTag>;
using Quantity = Fixed<QuantityTag>;

// A quote-currency amount from Price × Quantity, exact: 128-bit count of 10^-16 units.
// Used for notional values, budgets, PnL and anything that accumulates.
class Notional {
 public:
  static constexpr Int128 kScale = static_cast<Int128>(detail::kScale) * detail::kScale;

  constexpr Notional() = default;
  static constexpr Notional from_raw(Int128 units) noexcept { return Notional(units); }
  // A quote-asset Quantity (e.g. a USDT balance) as a Notional, exactly.
  static constexpr Notional from_quantity(Quantity q) noexcept {
    return Notional(static_cast<Int128>(q.raw()) * detail::kScale);
  }
  static Result<Notional> parse(std::string_view text);

  [[nodiscard]] constexpr Int128 raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr bool is_zero() const noexcept { return raw_ == 0; }
  [[nodiscard]] constexpr bool is_negative() const noexcept { return raw_ < 0; }
  [[nodiscard]] double to_double() const noexcept {
    return static_cast<double>(raw_) / static_cast<double>(kScale);
  }
  // Back to 8 decimals (a quote-asset amount), rounded as asked; OutOfRange past Quantity's range.
  [[nodiscard]] Result<Quantity> to_quantity(Rounding rounding) const;
  // How much base this amount buys at `price` (> 0), rounded as asked.
  [[nodiscard]] Result<Quantity> divide_by(Price price, Rounding rounding) const;

  Notional& operator+=(Notional o) {
    if (__builtin_add_overflow(raw_, o.raw_, &raw_)) detail::throw_overflow("notional");
    return *this;
  }
  Notional& operator-=(Notional o) {
    if (__builtin_sub_overflow(raw_, o.raw_, &raw_)) detail::throw_overflow("notional");
    return *this;
  }
  friend Notional operator+(Notional a, Notional b) { return a += b; }
  friend Notional operator-(Notional a, Notional b) { return a -= b; }
  Notional operator-() const { return Notional(-raw_); }
  friend constexpr auto operator<=>(Notional, Notional) noexcept = default;

  // Shortest exact text with up to 16 decimals ("1234.5678").
  [[nodiscard]] std::string to_string() const;

 private:
  constexpr explicit Notional(Int128 raw) noexcept : raw_(raw) {}
  Int128 raw_ = 0;
};

constexpr Notional operator*(Price p, Quantity q) noexcept {
  return Notional::from_raw(static_cast<Int128>(p.raw()) * q.raw());
}
constexpr Notional operator*(Quantity q, Price p) noexcept { return p * q; }

// For test output and diagnostics (shortest exact text).
template <typename Tag>
std::ostream& operator<<(std::ostream& out, const Fixed<Tag>& v) {
  return out << v.to_string();
}
inline std::ostream& operator<<(std::ostream& out, const Notional& v) { return out << v.to_string(); }

}  // namespace colibri

template <typename Tag>
struct fmt::formatter<colibri::Fixed<Tag>> : fmt::formatter<std::string_view> {
  auto format(const colibri::Fixed<Tag>& v, format_context& ctx) const {
    char buf[48];
    const std::size_t n = v.format_to(buf);
    return fmt::formatter<std::string_view>::format(std::string_view(buf, n), ctx);
  }
};

template <>
struct fmt::formatter<colibri::Notional> : fmt::formatter<std::string_view> {
  auto format(const colibri::Notional& v, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(v.to_string(), ctx);
  }
};
