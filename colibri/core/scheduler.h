#pragma once
// Scheduler: the one injectable seam for time (DESIGN.md decisions 2 and 3).
//
// Everything in colibri asks a Scheduler for now() and for timers; nothing reads the system clock
// directly. Live trading uses LiveScheduler (wall time over an Asio io_context); backtests and tests
// use SimScheduler (simulated time advanced explicitly). Code written against this interface cannot
// tell which one it runs on.
//
// Thread-safety: a Scheduler belongs to one event-loop thread. Every method here must be called on
// that thread (callbacks run on it too). The only cross-thread entry point is LiveScheduler::post.

#include <cstdint>
#include <functional>
#include <optional>

#include "colibri/core/inline_function.h"
#include "colibri/core/time.h"

namespace colibri {

// Names one scheduled timer. Ids are never reused: an id that was cancelled or has fired stays
// dead forever, so cancelling it later is a harmless no-op. A default-constructed TimerId names no
// timer (TimerId::none()).
class TimerId {
 public:
  constexpr TimerId() = default;
  // For Scheduler implementations: `serial` is unique per scheduler and never 0; `slot` is where the
  // implementation keeps the timer, so that cancel() finds it without a lookup table.
  constexpr TimerId(std::uint64_t serial, std::uint32_t slot) noexcept : serial_(serial), slot_(slot) {}
  static constexpr TimerId none() noexcept { return {}; }

  [[nodiscard]] constexpr bool is_none() const noexcept { return serial_ == 0; }
  [[nodiscard]] constexpr std::uint64_t serial() const noexcept { return serial_; }
  [[nodiscard]] constexpr std::uint32_t slot() const noexcept { return slot_; }
  friend constexpr bool operator==(TimerId a, TimerId b) noexcept { return a.serial_ == b.serial_; }

 private:
  std::uint64_t serial_ = 0;
  std::uint32_t slot_ = 0;
};

// A timer's action. `due` is the time the timer was planned for (for a periodic timer: the first
// time plus a whole number of periods), which a live scheduler may run slightly after; now() gives
// the actual time. A callback may schedule and cancel timers, including its own (a periodic timer
// cancelled from its own callback does not fire again). Callbacks must not throw: an exception
// propagates out of the call that drives the scheduler and its timer is cancelled.
// Move-only; callables of up to 248 bytes (e.g. a message with an order report travelling through
// the simulated exchange) are stored inline, so scheduling one does not allocate.
using TimerCallback = InlineFunction<void(Timestamp due), 248>;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The current time: wall time live, the simulated time in a backtest. Never decreases.
  [[nodiscard]] virtual Timestamp now() const = 0;

  // Runs `callback` once at `when`. A `when` before now() is treated as now(): the timer runs at the
  // next opportunity, after the timers already due at that time, and its callback sees `due` ==
  // now() as of this call (never a time in the past). Returns the timer's id, never none().
  virtual TimerId schedule_at(Timestamp when, TimerCallback callback) = 0;

  // Runs `callback` once, `delay` after now(). A delay <= 0 means as soon as possible.
  TimerId schedule_after(Duration delay, TimerCallback callback) {
    return schedule_at(now() + delay, std::move(callback));
  }

  // Runs `callback` at `first` (default: now() + period) and then every `period` after it, planned
  // on the grid first + k * period so it never drifts, until cancelled. Returns none() and schedules
  // nothing when period <= 0. How a live scheduler treats periods missed while the thread was busy
  // is documented there (SimScheduler never misses one).
  virtual TimerId schedule_every(Duration period, TimerCallback callback,
                                 std::optional<Timestamp> first = std::nullopt) = 0;

  // Cancels a timer. Returns true when it was pending (a one-shot timer that has not started running,
  // or a periodic timer that has not been cancelled); false for none(), an unknown id, a one-shot
  // timer that already ran or is running, or a second cancel.
  virtual bool cancel(TimerId id) = 0;
};

}  // namespace colibri
