#include "colibri/core/sim_scheduler.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace colibri {
namespace {

// Cancelled runs stay in the heap until they reach the top (cheap to skip). Past this many, and when
// they are the majority, the heap is rebuilt so far-future cancelled timers cannot pile up.
constexpr std::size_t kCompactAfterStaleRuns = 64;

}  // namespace

TimerId SimScheduler::schedule_at(Timestamp when, TimerCallback callback) {
  const std::uint32_t slot = allocate_slot();
  slots_[slot].callback = std::move(callback);
  slots_[slot].period = Duration(0);
  plan(std::max(when, now_), slot);
  return {slots_[slot].serial, slot};
}

TimerId SimScheduler::schedule_every(Duration period, TimerCallback callback,
                                     std::optional<Timestamp> first) {
  if (period.count() <= 0) return TimerId::none();
  const std::uint32_t slot = allocate_slot();
  slots_[slot].callback = std::move(callback);
  slots_[slot].period = period;
  plan(std::max(first.value_or(now_ + period), now_), slot);
  return {slots_[slot].serial, slot};
}

bool SimScheduler::cancel(TimerId id) {
  if (id.is_none() || id.slot() >= slots_.size() || slots_[id.slot()].serial != id.serial()) return false;
  // The timer's one planned run (invariant 3) becomes stale; the heap keeps it until it surfaces.
  release_slot(id.slot());
  ++stale_runs_;
  drop_stale_top();
  if (stale_runs_ > kCompactAfterStaleRuns && stale_runs_ * 2 > planned_.size()) {
    std::erase_if(planned_, [this](const PlannedRun& run) { return slots_[run.slot].serial != run.serial; });
    std::ranges::make_heap(planned_, RunsLater{});
    stale_runs_ = 0;
  }
  return true;
}

std::size_t SimScheduler::advance_to(Timestamp target) {
  assert(!running_ && "a timer callback must not drive the scheduler");
  if (target < now_) return 0;
  std::size_t ran = 0;
  while (!planned_.empty() && planned_.front().due <= target) {
    run_top();
    ++ran;
  }
  now_ = target;
  return ran;
}

bool SimScheduler::run_next() {
  assert(!running_ && "a timer callback must not drive the scheduler");
  if (planned_.empty()) return false;
  run_top();
  return true;
}

std::size_t SimScheduler::run_until_idle(std::size_t limit) {
  assert(!running_ && "a timer callback must not drive the scheduler");
  std::size_t ran = 0;
  while (ran < limit && !planned_.empty()) {
    run_top();
    ++ran;
  }
  return ran;
}

std::optional<Timestamp> SimScheduler::next_due() const {
  if (planned_.empty()) return std::nullopt;
  return planned_.front().due;
}

std::uint32_t SimScheduler::allocate_slot() {
  std::uint32_t slot = free_slot_;
  if (slot != kNoSlot) {
    free_slot_ = slots_[slot].next_free;
  } else {
    assert(slots_.size() < kNoSlot);
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].serial = next_serial_++;
  slots_[slot].next_free = kNoSlot;
  ++live_timers_;
  return slot;
}

void SimScheduler::release_slot(std::uint32_t slot) {
  TimerSlot& timer = slots_[slot];
  timer.callback = nullptr;
  timer.serial = 0;
  timer.next_free = free_slot_;
  free_slot_ = slot;
  --live_timers_;
}

void SimScheduler::plan(Timestamp due, std::uint32_t slot) {
  planned_.push_back(
      PlannedRun{.due = due, .sequence = next_sequence_++, .serial = slots_[slot].serial, .slot = slot});
  std::ranges::push_heap(planned_, RunsLater{});
}

void SimScheduler::drop_stale_top() {
  while (!planned_.empty() && slots_[planned_.front().slot].serial != planned_.front().serial) {
    std::ranges::pop_heap(planned_, RunsLater{});
    planned_.pop_back();
    --stale_runs_;
  }
}

void SimScheduler::run_top() {
  std::ranges::pop_heap(planned_, RunsLater{});
  const PlannedRun run = planned_.back();
  planned_.pop_back();
  drop_stale_top();
  assert(run.due >= now_);
  now_ = run.due;

  // The callback moves to a local while it runs: it may cancel its own timer, which frees the slot,
  // or schedule timers, which may reuse the slot or grow slots_.
  TimerCallback callback = std::move(slots_[run.slot].callback);
  const Duration period = slots_[run.slot].period;
  const bool periodic = period.count() > 0;
  if (periodic) {
    plan(run.due + period, run.slot);  // re-armed before it runs: its next run precedes anything it plans
  } else {
    release_slot(run.slot);
  }

  running_ = true;
  try {
    callback(run.due);
  } catch (...) {
    running_ = false;
    if (periodic) cancel(TimerId(run.serial, run.slot));
    throw;
  }
  running_ = false;
  if (periodic && slots_[run.slot].serial == run.serial) slots_[run.slot].callback = std::move(callback);
}

}  // namespace colibri
