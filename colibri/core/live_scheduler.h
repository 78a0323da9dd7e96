#pragma once
// LiveScheduler: wall time over a Boost.Asio io_context, the event loop of a live bot
// (DESIGN.md decisions 2 and 3).
//
// now() reads the system clock: this is the only place in colibri that does. Timers are Asio
// system_timers on the same clock, so a timer planned for time t runs at or after now() == t.
// Asio stays out of this header (pimpl): only live_scheduler.cc and, through native_io_context(),
// the transport include it.
//
// Thread-safety: the thread that calls run() or run_for() is the event-loop thread; every Scheduler
// method, and every callback, runs on it. post() and stop() may be called from any thread; they are
// the only cross-thread entry points.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "colibri/core/scheduler.h"

namespace colibri {

class LiveScheduler final : public Scheduler {
 public:
  LiveScheduler();
  // Destroys pending timers and posted tasks without running them. Must not run concurrently with
  // run() (stop the loop and let it return first).
  ~LiveScheduler() override;

  // Wall time (system_clock), clamped so that it never decreases even if the system clock is
  // stepped back; a step back therefore holds now() still until the clock catches up.
  [[nodiscard]] Timestamp now() const override;
  TimerId schedule_at(Timestamp when, TimerCallback callback) override;
  // Periods missed entirely while the loop was busy (a callback ran longer than a period) are
  // skipped, not replayed in a burst: the next run is the first grid time after now().
  TimerId schedule_every(Duration period, TimerCallback callback,
                         std::optional<Timestamp> first = std::nullopt) override;
  bool cancel(TimerId id) override;

  // Runs the event loop on the calling thread until stop(), even while no work is pending. If stop()
  // was called before run(), returns at once. After returning, the loop may be run again.
  // A callback's exception propagates out of run(); the loop can then be run again.
  void run();

  // Runs the event loop for at most `duration` of wall time; returns earlier after stop().
  void run_for(Duration duration);

  // Runs the callbacks that are ready (timers due, completed I/O, posted tasks) without waiting for
  // more; returns how many ran. A caller that polls in a loop keeps the thread busy instead of
  // sleeping until the next event (a benchmark that must not lose its caches to other processes).
  std::size_t poll();

  // Makes run() / run_for() return as soon as the callback in progress (if any) finishes. Pending
  // timers and tasks stay pending for the next run. Thread-safe.
  void stop();

  // Queues `task` to run on the event-loop thread, after the work already queued. Thread-safe: the
  // one way for another thread (a recorder, the console) to hand work to the bot.
  void post(std::function<void()> task);

  // Number of pending timers (a periodic timer counts once until cancelled).
  [[nodiscard]] std::size_t pending() const noexcept;

  // The underlying `boost::asio::io_context*`, for the transport (sockets must live on the same
  // loop). Valid as long as this scheduler; the caller casts it back. Not for anything else.
  [[nodiscard]] void* native_io_context() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colibri
