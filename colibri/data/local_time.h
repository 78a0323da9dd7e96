#pragma once
// LocalTimeCorrector: DESIGN.md decision 5 — every replayed event has an exchange time and a
// local receive time, and recorders' clocks drift (the sample data's local clock runs ~1.27 s
// behind the exchange's). On load, local time is shifted forward just enough that feed latency
// (local - exchange) is never below `min_feed_latency`; events without an exchange time (spot
// bookTicker, REST snapshots) get exchange time = corrected local time - min_feed_latency.
//
// The shift is causal and only grows: offset = max(previous offset, exchange + min - local), so
// corrected local times stay in file order (monotonic when the raw ones are) and a file that
// needs no correction is left unchanged. One corrector spans the files of one replay, so a file
// that continues another keeps its offset. Not thread-safe.

#include "colibri/core/time.h"

namespace colibri::data {

class LocalTimeCorrector {
 public:
  static constexpr Duration kDefaultMinFeedLatency = std::chrono::milliseconds(1);

  explicit LocalTimeCorrector(Duration min_feed_latency = kDefaultMinFeedLatency)
      : min_latency_(min_feed_latency) {}

  // Corrects one event's times in place. `exchange` may be none (then it is estimated).
  void correct(Timestamp& local, Timestamp& exchange) noexcept {
    if (!exchange.is_none() && !local.is_none()) {
      const Duration needed = (exchange + min_latency_) - local;
      if (needed > offset_) offset_ = needed;
    }
    if (!local.is_none()) local += offset_;
    if (exchange.is_none() && !local.is_none()) exchange = local - min_latency_;
  }

  [[nodiscard]] Duration offset() const noexcept { return offset_; }
  [[nodiscard]] Duration min_feed_latency() const noexcept { return min_latency_; }

 private:
  Duration min_latency_;
  Duration offset_{0};
};

}  // namespace colibri::data
