#include "colibri/connector/client_order_id.h"

#include <algorithm>
#include <array>

namespace colibri::connector {
namespace {

constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";

bool allowed(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Writes `value` in base 36, most significant first; returns the number of digits (>= 1).
std::size_t to_base36(std::uint64_t value, char* out) noexcept {
  std::array<char, 16> reversed{};
  std::size_t n = 0;
  do {
    reversed[n++] = kDigits[value % 36];
    value /= 36;
  } while (value != 0);
  std::reverse_copy(reversed.begin(), reversed.begin() + static_cast<std::ptrdiff_t>(n), out);
  return n;
}

}  // namespace

bool is_valid_client_order_id(std::string_view id) noexcept {
  return !id.empty() && id.size() <= model::ClientOrderId::kCapacity &&
         std::all_of(id.begin(), id.end(), allowed);
}

Result<ClientOrderIdGenerator> ClientOrderIdGenerator::create(std::string_view prefix, Timestamp start) {
  if (prefix.size() > kMaxPrefix || !std::all_of(prefix.begin(), prefix.end(), allowed)) {
    return fail(ErrorCode::InvalidArgument,
                "client order id prefix \"{}\" must be at most {} characters of [A-Za-z0-9_-]", prefix,
                kMaxPrefix);
  }
  // 36^12 ns after the epoch is in the year 2119: later starts would need a 13th digit.
  constexpr std::int64_t kStartLimit = 4'738'381'338'321'616'896;  // 36^12
  if (start.is_none() || start.ns() < 0 || start.ns() >= kStartLimit) {
    return fail(ErrorCode::InvalidArgument,
                "client order id generator needs a start time between 1970 and 2119");
  }
  ClientOrderIdGenerator g;
  g.stem_ = model::ClientOrderId::truncating(prefix);
  // Fits in 12 digits (checked above); pad with leading zeros.
  char digits[16];
  const std::size_t n = to_base36(static_cast<std::uint64_t>(start.ns()), digits);
  std::fill(g.start_, g.start_ + kStartDigits, '0');
  std::copy(digits, digits + n, g.start_ + (kStartDigits - n));
  return g;
}

model::ClientOrderId ClientOrderIdGenerator::next(model::Side side) noexcept {
  char buf[model::ClientOrderId::kCapacity];
  std::size_t n = stem_.size();
  std::copy(stem_.view().begin(), stem_.view().end(), buf);
  buf[n++] = side == model::Side::Buy ? 'B' : 'S';
  std::copy(start_, start_ + kStartDigits, buf + n);
  n += kStartDigits;
  n += to_base36(counter_++, buf + n);  // at most 13 digits: 10 + 1 + 12 + 13 = 36
  return model::ClientOrderId::truncating(std::string_view(buf, n));
}

}  // namespace colibri::connector
