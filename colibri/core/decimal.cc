#include "colibri/core/decimal.h"

#include <cmath>
#include <cstring>

#include "colibri/core/untrusted_text.h"

namespace colibri::detail {
namespace {

// Shared by the 64-bit (8 decimals) and 128-bit (16 decimals) types. `max_abs` bounds the
// magnitude of the scaled result; values beyond it are OutOfRange.
template <typename U>
Result<U> parse_magnitude(std::string_view text, int decimals, U max_abs, bool& negative,
                          std::string_view type_name) {
  negative = false;
  if (text.empty()) return fail(ErrorCode::InvalidArgument, "invalid {} \"\": empty text", type_name);
  std::size_t i = 0;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  U scale = 1;
  for (int d = 0; d < decimals; ++d) scale *= 10;
  const U max_int = max_abs / scale;

  U whole = 0;
  const std::size_t int_start = i;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') break;
    whole = whole * 10 + static_cast<U>(c - '0');
    if (whole > max_int) {
      return fail(ErrorCode::OutOfRange, "invalid {} {}: magnitude above {}", type_name, quote_untrusted(text, 40),
                  static_cast<std::uint64_t>(max_int));
    }
  }
  if (i == int_start) {
    return fail(ErrorCode::InvalidArgument, "invalid {} {}: expected a digit at position {}", type_name,
                quote_untrusted(text, 40), i);
  }
  U frac = 0;
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c < '0' || c > '9') break;
      if (frac_digits < decimals) {
        frac = frac * 10 + static_cast<U>(c - '0');
        ++frac_digits;
      } else if (c != '0') {
        return fail(ErrorCode::InvalidArgument, "invalid {} {}: more than {} decimal places", type_name,
                    quote_untrusted(text, 40), decimals);
      }
    }
    if (i == frac_start) {
      return fail(ErrorCode::InvalidArgument, "invalid {} {}: expected a digit after '.'", type_name,
                  quote_untrusted(text, 40));
    }
  }
  if (i != text.size()) {
    return fail(ErrorCode::InvalidArgument, "invalid {} {}: unexpected character at position {}", type_name,
                quote_untrusted(text, 40), i);
  }
  for (; frac_digits < decimals; ++frac_digits) frac *= 10;
  const U magnitude = whole * scale + frac;
  if (magnitude > max_abs) {
    return fail(ErrorCode::OutOfRange, "invalid {} {}: out of range", type_name, quote_untrusted(text, 40));
  }
  return magnitude;
}

// Writes the decimal digits of `v` (> 0 or == 0) backwards ending at `end`; returns the start.
template <typename U>
char* write_digits_backwards(U v, char* end) {
  do {
    *--end = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return end;
}

template <typename U>
std::size_t format_magnitude(bool negative, U magnitude, int scale_digits, int decimals, bool shortest,
                             char* out) {
  U scale = 1;
  for (int d = 0; d < scale_digits; ++d) scale *= 10;
  const U whole = magnitude / scale;
  U frac = magnitude % scale;

  // Fractional digits, most significant first.
  char frac_buf[40];
  for (int d = scale_digits - 1; d >= 0; --d) {
    frac_buf[d] = static_cast<char>('0' + static_cast<int>(frac % 10));
    frac /= 10;
  }
  int shown = decimals;
  if (shortest) {
    shown = scale_digits;
    while (shown > 0 && frac_buf[shown - 1] == '0') --shown;
  }
  for (int d = scale_digits; d < shown; ++d) frac_buf[d] = '0';

  char int_buf[48];
  char* int_end = int_buf + sizeof(int_buf);
  char* int_start = write_digits_backwards(whole, int_end);

  bool all_zero = whole == 0;
  for (int d = 0; d < shown && all_zero; ++d) all_zero = frac_buf[d] == '0';

  char* p = out;
  if (negative && !all_zero) *p++ = '-';
  std::memcpy(p, int_start, static_cast<std::size_t>(int_end - int_start));
  p += int_end - int_start;
  if (shown > 0) {
    *p++ = '.';
    std::memcpy(p, frac_buf, static_cast<std::size_t>(shown));
    p += shown;
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace

Result<std::int64_t> parse_fixed(std::string_view text, std::string_view type_name) {
  if (std::int64_t fast = 0; parse_fixed_fast(text, fast)) [[likely]] return fast;
  bool negative = false;
  auto magnitude = parse_magnitude<std::uint64_t>(text, kDecimals, static_cast<std::uint64_t>(INT64_MAX),
                                                  negative, type_name);
  if (!magnitude) return tl::unexpected<Error>(std::move(magnitude.error()));
  const auto v = static_cast<std::int64_t>(*magnitude);
  return negative ? -v : v;
}

std::size_t format_fixed(std::int64_t raw, int decimals, char* out) noexcept {
  if (decimals < 0) decimals = 0;
  if (decimals > 18) decimals = 18;
  const bool negative = raw < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(raw) : static_cast<std::uint64_t>(raw);
  if (decimals >= kDecimals) return format_magnitude<std::uint64_t>(negative, magnitude, kDecimals, decimals, false, out);
  std::uint64_t drop = 1;
  for (int d = decimals; d < kDecimals; ++d) drop *= 10;
  return format_magnitude<std::uint64_t>(negative, magnitude / drop, decimals, decimals, false, out);
}

std::size_t format_fixed_shortest(std::int64_t raw, char* out) noexcept {
  const bool negative = raw < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(raw) : static_cast<std::uint64_t>(raw);
  return format_magnitude<std::uint64_t>(negative, magnitude, kDecimals, 0, true, out);
}

Int128 divide(Int128 dividend, Int128 divisor, Rounding rounding) noexcept {
  Int128 q;
  Int128 r;
  const auto narrow_dividend = static_cast<std::int64_t>(dividend);
  const auto narrow_divisor = static_cast<std::int64_t>(divisor);
  if (narrow_dividend == dividend && narrow_divisor == divisor) [[likely]] {
    // Both fit in 64 bits (most prices, quantities and their sums do): one machine division instead
    // of libgcc's 128-bit routine. (The divisor is positive, so INT64_MIN / -1 cannot occur.)
    q = narrow_dividend / narrow_divisor;
    r = narrow_dividend % narrow_divisor;
  } else {
    q = dividend / divisor;
    r = dividend % divisor;
  }
  if (r == 0) return q;
  switch (rounding) {
    case Rounding::Down:
      if (r < 0) --q;
      break;
    case Rounding::Up:
      if (r > 0) ++q;
      break;
    case Rounding::TowardZero:
      break;
    case Rounding::NearestEven: {
      const Int128 twice = (r < 0 ? -r : r) * 2;
      const bool away = twice > divisor || (twice == divisor && (q % 2 != 0));
      if (away) q += (r < 0 ? -1 : 1);
      break;
    }
  }
  return q;
}

Result<std::int64_t> from_double(double value, std::string_view type_name) {
  if (!std::isfinite(value)) return fail(ErrorCode::InvalidArgument, "{} from non-finite double {}", type_name, value);
  const double scaled = std::nearbyint(value * static_cast<double>(kScale));
  if (!(scaled > -9.2e18 && scaled < 9.2e18)) {
    return fail(ErrorCode::OutOfRange, "{} {} out of range", type_name, value);
  }
  return static_cast<std::int64_t>(scaled);
}

void throw_overflow(const char* what) { throw FixedPointOverflow(fmt::format("{} arithmetic overflow", what)); }

}  // namespace colibri::detail

namespace colibri {

namespace {
constexpr UInt128 kMaxNotional = (static_cast<UInt128>(1) << 126);  // leaves headroom for checked sums
}  // namespace

Result<Notional> Notional::parse(std::string_view text) {
  bool negative = false;
  auto magnitude = detail::parse_magnitude<UInt128>(text, 2 * detail::kDecimals, kMaxNotional, negative, "notional");
  if (!magnitude) return tl::unexpected<Error>(std::move(magnitude.error()));
  const auto v = static_cast<Int128>(*magnitude);
  return Notional(negative ? -v : v);
}

Result<Quantity> Notional::to_quantity(Rounding rounding) const {
  const Int128 q = detail::divide(raw_, detail::kScale, rounding);
  if (q > INT64_MAX || q < -INT64_MAX) return fail(ErrorCode::OutOfRange, "notional {} does not fit a quantity", to_string());
  return Quantity::from_raw(static_cast<std::int64_t>(q));
}

Result<Quantity> Notional::divide_by(Price price, Rounding rounding) const {
  if (!price.is_positive()) return fail(ErrorCode::InvalidArgument, "cannot divide notional by price {}", price.to_string());
  const Int128 q = detail::divide(raw_, price.raw(), rounding);
  if (q > INT64_MAX || q < -INT64_MAX) return fail(ErrorCode::OutOfRange, "notional {} / {} does not fit a quantity", to_string(), price.to_string());
  return Quantity::from_raw(static_cast<std::int64_t>(q));
}

std::string Notional::to_string() const {
  const bool negative = raw_ < 0;
  const UInt128 magnitude = negative ? 0 - static_cast<UInt128>(raw_) : static_cast<UInt128>(raw_);
  char buf[96];
  return std::string(buf, detail::format_magnitude<UInt128>(negative, magnitude, 2 * detail::kDecimals, 0, true, buf));
}

}  // namespace colibri
