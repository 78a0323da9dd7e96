#pragma once
// ServerClock: an estimate of Binance's clock from our own, for the `timestamp` of signed requests
// (Binance refuses one more than 1 s ahead of its clock or older than recvWindow: -1021) and for
// times Binance gives on its clock (an IP ban's end).
//
// Method. Each sample is one time request: sent at local time s, answered with server time S,
// received at local time r. The server read its clock somewhere in [s, r], so
//   offset = S + 0.5 ms - (s + r) / 2        (Binance's time is whole milliseconds, truncated)
// is wrong by at most (r - s) / 2 + 0.5 ms: the shorter the round trip, the better the sample
// (Cristian's algorithm). The estimator keeps the last `window` samples and takes the MEDIAN of the
// offsets of the `best` samples with the shortest round trips: one sample delayed on one leg only
// (asymmetric delay) or a clock step moves the median less than the mean; old samples leave the
// window, so slow drift between the clocks is followed. Samples with a round trip above
// `max_round_trip` are refused (too uncertain to help).
//
// server_time(local) is local + offset; signing_time(local) is that minus the uncertainty, so a
// signed request is never stamped ahead of the server (Binance tolerates 1 s ahead but recvWindow
// behind). After -1021 the connector calls restart() and takes new samples before resending.
//
// Time comes from the caller (the Scheduler); nothing here reads a clock. Not thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "colibri/core/result.h"
#include "colibri/core/time.h"

namespace colibri::venue::binance {

struct TimeSample {
  Timestamp sent;      // local time the request left
  Timestamp server;    // serverTime in the answer
  Timestamp received;  // local time the answer arrived
};

struct ServerClockConfig {
  std::size_t window = 8;                             // samples kept (1 .. kMaxWindow)
  std::size_t best = 3;                               // shortest round trips used (1 .. window)
  Duration max_round_trip = std::chrono::seconds(2);  // longer samples are refused
  // A sample saying the clocks are further apart is refused: a clock that wrong is a
  // misconfiguration to report, not to follow.
  Duration max_offset = std::chrono::hours(24);
};

class ServerClock {
 public:
  static constexpr std::size_t kMaxWindow = 32;

  // InvalidArgument naming the setting when window is 0 or above kMaxWindow, best is 0 or above
  // window, or max_round_trip or max_offset is not positive.
  [[nodiscard]] static Result<ServerClock> create(ServerClockConfig config = {});

  // Adds one sample. InvalidArgument when a time is none or received < sent; OutOfRange when the
  // round trip exceeds max_round_trip or the offset max_offset (the sample is not kept).
  [[nodiscard]] Result<void> add(const TimeSample& sample);
  // Forgets every sample (after -1021, or a suspected clock step).
  void restart() noexcept {
    count_ = 0;
    next_ = 0;
  }

  [[nodiscard]] bool synchronised() const noexcept { return count_ > 0; }
  [[nodiscard]] std::size_t samples() const noexcept { return count_; }
  // server - local; nullopt before the first sample.
  [[nodiscard]] std::optional<Duration> offset() const noexcept;
  // How wrong offset() may be: half the longest round trip among the samples used, plus 0.5 ms.
  [[nodiscard]] std::optional<Duration> uncertainty() const noexcept;
  // `local` on the server's clock (unchanged before the first sample).
  [[nodiscard]] Timestamp server_time(Timestamp local) const noexcept;
  // The server time at `local` minus the uncertainty: the timestamp for a signed request.
  [[nodiscard]] Timestamp signing_time(Timestamp local) const noexcept;
  // A server time on our clock.
  [[nodiscard]] Timestamp local_time(Timestamp server) const noexcept;

 private:
  struct Kept {
    std::int64_t offset_ns;  // already including the 0.5 ms truncation correction
    std::int64_t round_trip_ns;
  };
  explicit ServerClock(ServerClockConfig config) : config_(config) {}
  void estimate() noexcept;

  // Invariants: (1) count_ <= config_.window; (2) kept_[0, count_) are the last count_ samples added
  // (ring, next_ is the slot of the next one); (3) offset_ns_ / uncertainty_ns_ are the estimate
  // from those samples when count_ > 0.
  ServerClockConfig config_;
  std::array<Kept, kMaxWindow> kept_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  std::int64_t offset_ns_ = 0;
  std::int64_t uncertainty_ns_ = 0;
};

}  // namespace colibri::venue::binance
