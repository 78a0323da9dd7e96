#include "colibri/venue/binance/time_sync.h"

#include <algorithm>
#include <cstdint>

#include "colibri/core/decimal.h"

namespace colibri::venue::binance {
namespace {

// Binance's serverTime is truncated to the millisecond: the true time is half a millisecond later
// on average.
constexpr std::int64_t kTruncationNs = 500'000;

}  // namespace

Result<ServerClock> ServerClock::create(ServerClockConfig config) {
  if (config.window == 0 || config.window > kMaxWindow) {
    return fail(ErrorCode::InvalidArgument, "server clock: window {} is outside 1..{}", config.window,
                kMaxWindow);
  }
  if (config.best == 0 || config.best > config.window) {
    return fail(ErrorCode::InvalidArgument, "server clock: best {} is outside 1..window ({})", config.best,
                config.window);
  }
  if (config.max_round_trip <= Duration::zero()) {
    return fail(ErrorCode::InvalidArgument, "server clock: max_round_trip must be positive");
  }
  if (config.max_offset <= Duration::zero()) {
    return fail(ErrorCode::InvalidArgument, "server clock: max_offset must be positive");
  }
  return ServerClock(config);
}

Result<void> ServerClock::add(const TimeSample& sample) {
  if (sample.sent.is_none() || sample.server.is_none() || sample.received.is_none()) {
    return fail(ErrorCode::InvalidArgument, "time sample: a time is missing");
  }
  if (sample.received < sample.sent) {
    return fail(ErrorCode::InvalidArgument, "time sample: received at {} before it was sent at {}",
                sample.received.to_iso8601(), sample.sent.to_iso8601());
  }
  std::int64_t round_trip_ns = 0;
  if (__builtin_sub_overflow(sample.received.ns(), sample.sent.ns(), &round_trip_ns))
    round_trip_ns = INT64_MAX;
  const Duration round_trip(round_trip_ns);
  if (round_trip > config_.max_round_trip) {
    return fail(ErrorCode::OutOfRange, "time sample: round trip {} ms exceeds {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(round_trip).count(),
                std::chrono::duration_cast<std::chrono::milliseconds>(config_.max_round_trip).count());
  }
  // (s + r) / 2 without overflow: s + (r - s) / 2. The offset is checked before it is kept, in a
  // way that cannot overflow for any two timestamps.
  const std::int64_t midpoint = sample.sent.ns() + round_trip.count() / 2;
  const Int128 offset = static_cast<Int128>(sample.server.ns()) + kTruncationNs - midpoint;
  const std::int64_t limit = config_.max_offset.count();
  if (offset > limit || offset < -limit) {
    return fail(ErrorCode::OutOfRange, "time sample: server clock {} is more than {} h from ours ({})",
                sample.server.to_iso8601(),
                std::chrono::duration_cast<std::chrono::hours>(config_.max_offset).count(),
                Timestamp::from_ns(midpoint).to_iso8601());
  }
  kept_[next_] = Kept{static_cast<std::int64_t>(offset), round_trip.count()};
  next_ = (next_ + 1) % config_.window;
  count_ = std::min(count_ + 1, config_.window);
  estimate();
  return {};
}

void ServerClock::estimate() noexcept {
  std::array<Kept, kMaxWindow> order{};
  std::copy_n(kept_.begin(), count_, order.begin());
  const auto end = order.begin() + static_cast<std::ptrdiff_t>(count_);
  std::sort(order.begin(), end,
            [](const Kept& a, const Kept& b) { return a.round_trip_ns < b.round_trip_ns; });
  const std::size_t used = std::min(config_.best, count_);
  std::array<std::int64_t, kMaxWindow> offsets{};
  for (std::size_t i = 0; i < used; ++i) offsets[i] = order[i].offset_ns;
  std::sort(offsets.begin(), offsets.begin() + static_cast<std::ptrdiff_t>(used));
  // Median; for an even count the mean of the middle two (no overflow: offsets are far from the limits).
  offset_ns_ = used % 2 == 1 ? offsets[used / 2]
                             : offsets[used / 2 - 1] + (offsets[used / 2] - offsets[used / 2 - 1]) / 2;
  // Each used offset is within its round trip / 2 + 0.5 ms of the truth, so their median is within the
  // largest of those bounds.
  uncertainty_ns_ = order[used - 1].round_trip_ns / 2 + kTruncationNs;
}

std::optional<Duration> ServerClock::offset() const noexcept {
  if (count_ == 0) return std::nullopt;
  return Duration(offset_ns_);
}

std::optional<Duration> ServerClock::uncertainty() const noexcept {
  if (count_ == 0) return std::nullopt;
  return Duration(uncertainty_ns_);
}

Timestamp ServerClock::server_time(Timestamp local) const noexcept {
  return count_ == 0 ? local : local + Duration(offset_ns_);
}

Timestamp ServerClock::signing_time(Timestamp local) const noexcept {
  return count_ == 0 ? local : local + Duration(offset_ns_ - uncertainty_ns_);
}

Timestamp ServerClock::local_time(Timestamp server) const noexcept {
  return count_ == 0 ? server : server - Duration(offset_ns_);
}

}  // namespace colibri::venue::binance
