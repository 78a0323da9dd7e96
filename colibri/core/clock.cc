#include "colibri/core/clock.h"

#include <algorithm>

namespace colibri {
namespace {

// Largest multiple of `step` that is <= value (rounds toward minus infinity, unlike `/`).
std::int64_t floor_to_multiple(std::int64_t value, std::int64_t step) {
  std::int64_t quotient = value / step;
  if (value % step < 0) --quotient;
  return quotient * step;
}

}  // namespace

Result<void> Clock::check_tick_size(Duration tick_size) {
  if (tick_size < kMinTickSize || tick_size > kMaxTickSize || tick_size % kMinTickSize != Duration(0)) {
    return fail(ErrorCode::InvalidArgument,
                "clock tick size {} ns must be a whole number of milliseconds from 1 ms to 1 hour",
                tick_size.count());
  }
  return {};
}

Clock::Clock(Scheduler& scheduler, Duration tick_size) : scheduler_(scheduler), tick_size_(tick_size) {
  value_or_throw(check_tick_size(tick_size));
}

Clock::~Clock() { scheduler_.cancel(tick_timer_); }

bool Clock::add_iterator(TimeIterator& iterator) {
  if (std::ranges::find(iterators_, &iterator) != iterators_.end()) return false;
  iterators_.push_back(&iterator);
  if (started_) iterator.start(*this, scheduler_.now());
  return true;
}

bool Clock::remove_iterator(TimeIterator& iterator) {
  const auto it = std::ranges::find(iterators_, &iterator);
  if (it == iterators_.end()) return false;
  // Removed before it is stopped, so whatever stop() does to the clock cannot invalidate `it`.
  if (iterating_depth_ > 0) {
    *it = nullptr;  // a loop is walking iterators_ by index: leave a hole, erased when it ends
    has_holes_ = true;
  } else {
    iterators_.erase(it);
  }
  if (started_) iterator.stop(*this);
  return true;
}

bool Clock::start() {
  if (started_) return false;
  started_ = true;
  const Timestamp now = scheduler_.now();
  {
    IterationScope scope(*this);
    // Iterators added by a start() are started by add_iterator itself: only the first `count` here.
    const std::size_t count = iterators_.size();
    for (std::size_t i = 0; i < count && started_; ++i) {
      if (iterators_[i] != nullptr) iterators_[i]->start(*this, now);
    }
  }
  if (!started_) return true;  // an iterator stopped the clock while starting
  const Timestamp first_tick =
      Timestamp::from_ns(floor_to_multiple(now.ns(), tick_size_.count())) + tick_size_;
  tick_timer_ = scheduler_.schedule_every(
      tick_size_, [this](Timestamp due) { on_tick(due); }, first_tick);
  return true;
}

bool Clock::stop() {
  if (!started_) return false;
  started_ = false;
  scheduler_.cancel(tick_timer_);
  tick_timer_ = TimerId::none();
  IterationScope scope(*this);
  for (std::size_t i = iterators_.size(); i-- > 0;) {
    if (iterators_[i] != nullptr) iterators_[i]->stop(*this);
  }
  return true;
}

void Clock::on_tick(Timestamp due) {
  last_tick_ = due;
  ++tick_count_;
  IterationScope scope(*this);
  // Iterators added during this tick start ticking on the next one.
  const std::size_t count = iterators_.size();
  for (std::size_t i = 0; i < count && started_; ++i) {
    if (iterators_[i] != nullptr) iterators_[i]->tick(due);
  }
}

Clock::IterationScope::~IterationScope() {
  if (--clock_.iterating_depth_ == 0 && clock_.has_holes_) {
    std::erase(clock_.iterators_, nullptr);
    clock_.has_holes_ = false;
  }
}

}  // namespace colibri
