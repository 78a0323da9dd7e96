#pragma once
// Timestamp and Duration: nanoseconds since the Unix epoch, on whichever clock the Scheduler
// provides (wall time live, simulated time in a backtest). Nothing in colibri reads the system
// clock directly except the live scheduler (DESIGN.md decision 3).

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>

namespace colibri {

using Duration = std::chrono::nanoseconds;
using std::chrono_literals::operator""ns;
using std::chrono_literals::operator""us;
using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;

// A point in time, ns since 1970-01-01T00:00:00Z. Range: about ±292 years around 1970.
// A default-constructed Timestamp is the epoch; Timestamp::none() marks "not known".
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp from_ns(std::int64_t ns) noexcept { return Timestamp(ns); }
  static constexpr Timestamp from_ms(std::int64_t ms) noexcept { return Timestamp(ms * 1'000'000); }
  static constexpr Timestamp none() noexcept { return Timestamp(kNone); }

  [[nodiscard]] constexpr std::int64_t ns() const noexcept { return ns_; }
  [[nodiscard]] constexpr std::int64_t ms() const noexcept { return ns_ / 1'000'000; }
  [[nodiscard]] constexpr bool is_none() const noexcept { return ns_ == kNone; }
  [[nodiscard]] constexpr double seconds() const noexcept { return static_cast<double>(ns_) * 1e-9; }

  constexpr Timestamp& operator+=(Duration d) noexcept { ns_ += d.count(); return *this; }
  constexpr Timestamp& operator-=(Duration d) noexcept { ns_ -= d.count(); return *this; }
  friend constexpr Timestamp operator+(Timestamp t, Duration d) noexcept { return t += d; }
  friend constexpr Timestamp operator-(Timestamp t, Duration d) noexcept { return t -= d; }
  friend constexpr Duration operator-(Timestamp a, Timestamp b) noexcept { return Duration(a.ns_ - b.ns_); }
  friend constexpr auto operator<=>(Timestamp, Timestamp) noexcept = default;

  // ISO-8601 UTC with nanoseconds, e.g. "2024-08-09T00:00:00.123456789Z"; "none" for none().
  [[nodiscard]] std::string to_iso8601() const;

 private:
  static constexpr std::int64_t kNone = INT64_MIN;
  constexpr explicit Timestamp(std::int64_t ns) noexcept : ns_(ns) {}
  std::int64_t ns_ = 0;
};

}  // namespace colibri
