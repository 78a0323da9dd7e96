#pragma once
// SimScheduler: simulated time for backtests and tests (DESIGN.md decision 3).
//
// Time stands still until the owner drives it with advance_to(), run_next() or run_until_idle().
// Timers run in time order, timers due at the same time in the order they were scheduled (a periodic
// timer's next occurrence counts as scheduled when it is re-armed, just before its callback runs).
// The same schedule therefore always runs in the same order: backtests are deterministic.
//
// Not thread-safe: owned by the one thread that drives it. Callbacks run inside the driving call and
// may schedule and cancel timers but must not drive the scheduler themselves (checked by assert).
// Steady state is allocation-free: a periodic timer keeps its callback and slot and re-arms with one
// heap push into reused storage; slots of finished timers are reused.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "colibri/core/scheduler.h"

namespace colibri {

class SimScheduler final : public Scheduler {
 public:
  // Starts the simulated clock at `start` (default: the epoch).
  explicit SimScheduler(Timestamp start = Timestamp()) noexcept : now_(start) {}

  [[nodiscard]] Timestamp now() const override { return now_; }
  TimerId schedule_at(Timestamp when, TimerCallback callback) override;
  TimerId schedule_every(Duration period, TimerCallback callback,
                         std::optional<Timestamp> first = std::nullopt) override;
  bool cancel(TimerId id) override;

  // Runs every timer due at or before `target`, in order, setting now() to each timer's due time as
  // it runs (timers scheduled by those callbacks run too if due by `target`), then sets now() to
  // `target`. Time never moves backwards: a `target` before now() is a no-op that returns 0.
  // Returns the number of callbacks run.
  std::size_t advance_to(Timestamp target);

  // Moves time forward by `delay` (<= 0: no-op); same as advance_to(now() + delay).
  std::size_t advance_by(Duration delay) { return delay.count() > 0 ? advance_to(now_ + delay) : 0; }

  // Runs the earliest pending timer, moving now() to its due time. Returns false when none is pending.
  bool run_next();

  // Runs timers in order until none is pending or `limit` callbacks have run (periodic timers never
  // let the scheduler go idle, so the limit is required). Returns the number of callbacks run.
  std::size_t run_until_idle(std::size_t limit);

  // The due time of the earliest pending timer, if any.
  [[nodiscard]] std::optional<Timestamp> next_due() const;

  // Number of pending timers (a periodic timer counts once until cancelled).
  [[nodiscard]] std::size_t pending() const noexcept { return live_timers_; }

 private:
  // One timer's state. A slot is free when serial == 0; free slots are chained through next_free.
  struct TimerSlot {
    TimerCallback callback;
    Duration period{0};  // 0 for a one-shot timer
    std::uint64_t serial = 0;
    std::uint32_t next_free = kNoSlot;
  };
  // One planned run. Stale (to be skipped) when its slot's serial no longer matches: the timer was
  // cancelled, or the slot was freed and reused.
  struct PlannedRun {
    Timestamp due;
    std::uint64_t sequence;  // tie-break: the order runs were planned in
    std::uint64_t serial;
    std::uint32_t slot;
  };
  struct RunsLater {
    bool operator()(const PlannedRun& a, const PlannedRun& b) const noexcept {
      return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
    }
  };
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;

  // Invariants: (1) planned_ is a heap on (due, sequence), earliest first (RunsLater); (2) its top,
  // if any, is not stale; (3) every live timer (slot serial != 0) has exactly one non-stale run in
  // planned_; (4) live_timers_ counts the live slots; (5) stale_runs_ counts the stale entries in
  // planned_; (6) now_ never decreases and no non-stale run is due before now_; (7) while a
  // callback runs, its std::function lives in a local (so cancelling its own timer is safe) and
  // running_ is true.
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t slot);
  void plan(Timestamp due, std::uint32_t slot);
  void drop_stale_top();
  void run_top();

  Timestamp now_;
  std::vector<TimerSlot> slots_;
  std::vector<PlannedRun> planned_;
  std::uint32_t free_slot_ = kNoSlot;
  std::uint64_t next_serial_ = 1;
  std::uint64_t next_sequence_ = 0;
  std::size_t live_timers_ = 0;
  std::size_t stale_runs_ = 0;
  bool running_ = false;
};

}  // namespace colibri
