#pragma once
// Clock and TimeIterator: Hummingbot's heartbeat, over the injected Scheduler.
//
// A Clock ticks its iterators every tick_size, at times aligned to multiples of the tick size
// (a 1 s clock ticks at whole seconds), in the order they were added: connectors first, then
// strategies, so a strategy sees this tick's connector state. The same Clock runs on SimScheduler
// (backtest) and LiveScheduler (live, paper): only the scheduler differs.
//
// Not thread-safe: lives on the event-loop thread of its scheduler. A Clock does not own its
// iterators or its scheduler; both must outlive it (or be removed first).

#include <cstdint>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/core/scheduler.h"
#include "colibri/core/time.h"

namespace colibri {

class Clock;

// Something driven by a Clock (Hummingbot's TimeIterator): a connector, a strategy, a recorder.
class TimeIterator {
 public:
  virtual ~TimeIterator() = default;
  // Called when the clock starts, or when the iterator is added to a started clock; `now` is the
  // scheduler's current time.
  virtual void start(Clock& /*clock*/, Timestamp /*now*/) {}
  // Called when the clock stops, or when the iterator is removed from a started clock.
  virtual void stop(Clock& /*clock*/) {}
  // Called once per tick; `now` is the tick's aligned time (a multiple of the tick size).
  virtual void tick(Timestamp now) = 0;
};

class Clock {
 public:
  static constexpr Duration kMinTickSize = std::chrono::milliseconds(1);
  static constexpr Duration kMaxTickSize = std::chrono::hours(1);

  // Ok when kMinTickSize <= tick_size <= kMaxTickSize and tick_size is a whole number of
  // milliseconds; InvalidArgument naming the value otherwise.
  [[nodiscard]] static Result<void> check_tick_size(Duration tick_size);

  // The tick size comes from configuration, so a bad one is a start-up error: throws StartupError
  // (InvalidArgument) when check_tick_size fails. Call check_tick_size first to get it as a value.
  explicit Clock(Scheduler& scheduler, Duration tick_size = std::chrono::seconds(1));
  // Cancels the tick timer. Does not stop the iterators: call stop() first for an orderly shutdown.
  ~Clock();
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;

  // Adds an iterator at the end of the tick order; starts it at once if the clock is started.
  // Added during a tick, it is first ticked on the next tick. Adding one already present does
  // nothing and returns false.
  bool add_iterator(TimeIterator& iterator);

  // Removes an iterator, stopping it if the clock is started. Safe during a tick, from any iterator:
  // a removed iterator that has not been ticked yet in this tick is not ticked. Returns false when
  // it was not present.
  bool remove_iterator(TimeIterator& iterator);

  // Starts every iterator (in order) with now(), then ticks at every multiple of the tick size
  // strictly after now(). Returns false (and does nothing) when already started.
  bool start();

  // Stops ticking, then stops every iterator in reverse order (strategies before connectors).
  // Safe during a tick: iterators not yet ticked in this tick are not ticked. Returns false when not
  // started. A stopped clock may be started again.
  bool stop();

  [[nodiscard]] bool is_started() const noexcept { return started_; }
  [[nodiscard]] Duration tick_size() const noexcept { return tick_size_; }
  // Ticks since construction (across restarts).
  [[nodiscard]] std::uint64_t tick_count() const noexcept { return tick_count_; }
  // The time of the latest tick; Timestamp::none() before the first.
  [[nodiscard]] Timestamp last_tick() const noexcept { return last_tick_; }
  [[nodiscard]] Timestamp now() const { return scheduler_.now(); }
  [[nodiscard]] Scheduler& scheduler() const noexcept { return scheduler_; }

 private:
  // Marks a loop over iterators_ by index (a tick, start or stop; they may nest). While one is in
  // progress removals leave holes; the outermost scope erases them when it ends.
  class IterationScope {
   public:
    explicit IterationScope(Clock& clock) : clock_(clock) { ++clock_.iterating_depth_; }
    ~IterationScope();
    IterationScope(const IterationScope&) = delete;
    IterationScope& operator=(const IterationScope&) = delete;

   private:
    Clock& clock_;
  };

  void on_tick(Timestamp due);

  // Invariants: (1) iterators_ holds each iterator at most once, in tick order; (2) null entries
  // (holes left by removals) exist only while iterating_depth_ > 0, and has_holes_ is true when
  // there are any; (3) outside start(), tick_timer_ is a pending periodic timer iff started_ (else none()).
  Scheduler& scheduler_;
  Duration tick_size_;
  std::vector<TimeIterator*> iterators_;
  TimerId tick_timer_;
  std::uint64_t tick_count_ = 0;
  Timestamp last_tick_ = Timestamp::none();
  int iterating_depth_ = 0;
  bool has_holes_ = false;
  bool started_ = false;
};

}  // namespace colibri
