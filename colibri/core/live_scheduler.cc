#include "colibri/core/live_scheduler.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include <boost/asio.hpp>

namespace colibri {
namespace {

namespace asio = boost::asio;

std::chrono::system_clock::time_point to_system_time(Timestamp t) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(Duration(t.ns())));
}

// One timer. The Asio timer object is kept and reused when the slot is reused; a slot is free when
// serial == 0.
struct LiveTimer {
  explicit LiveTimer(asio::io_context& io) : timer(io) {}
  asio::system_timer timer;
  TimerCallback callback;
  Duration period{0};  // 0 for a one-shot timer
  Timestamp due;
  std::uint64_t serial = 0;
};

}  // namespace

// Invariants: (1) a slot with serial != 0 is live and has exactly one async_wait outstanding, except
// a periodic timer while its callback runs (re-armed when the callback returns);
// (2) a completion handler acts only if its captured serial still matches its slot, because a
// completion may already be queued when its timer is cancelled or its slot reused; (3) live_timers_
// counts the live slots; (4) io_ outlives the timers (declared first, destroyed last).
struct LiveScheduler::Impl {
  asio::io_context io_{1};  // concurrency hint: one thread runs the loop
  asio::executor_work_guard<asio::io_context::executor_type> keep_running_ = asio::make_work_guard(io_);
  std::vector<std::unique_ptr<LiveTimer>> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_serial_ = 1;
  std::size_t live_timers_ = 0;
  mutable std::atomic<std::int64_t> latest_now_ns_{INT64_MIN};

  Timestamp now() const {
    const auto wall =
        std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
    std::int64_t ns = wall.count();
    std::int64_t latest = latest_now_ns_.load(std::memory_order_relaxed);
    while (ns > latest && !latest_now_ns_.compare_exchange_weak(latest, ns, std::memory_order_relaxed)) {
    }
    return Timestamp::from_ns(std::max(ns, latest));
  }

  TimerId add(Timestamp due, Duration period, TimerCallback callback) {
    std::uint32_t slot = 0;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.push_back(std::make_unique<LiveTimer>(io_));
    }
    LiveTimer& timer = *slots_[slot];
    timer.callback = std::move(callback);
    timer.period = period;
    timer.due = due;
    timer.serial = next_serial_++;
    ++live_timers_;
    arm(slot);
    return {timer.serial, slot};
  }

  void arm(std::uint32_t slot) {
    LiveTimer& timer = *slots_[slot];
    timer.timer.expires_at(to_system_time(timer.due));
    timer.timer.async_wait([this, slot, serial = timer.serial](const boost::system::error_code& error) {
      if (error == asio::error::operation_aborted) return;
      fire(slot, serial);
    });
  }

  void release(std::uint32_t slot) {
    LiveTimer& timer = *slots_[slot];
    timer.timer.cancel();
    timer.callback = nullptr;
    timer.serial = 0;
    free_slots_.push_back(slot);
    --live_timers_;
  }

  bool cancel(TimerId id) {
    if (id.is_none() || id.slot() >= slots_.size() || slots_[id.slot()]->serial != id.serial()) return false;
    release(id.slot());
    return true;
  }

  void fire(std::uint32_t slot, std::uint64_t serial) {
    if (slots_[slot]->serial != serial) return;  // cancelled after its completion was queued
    LiveTimer& timer = *slots_[slot];
    const Timestamp due = timer.due;
    const Duration period = timer.period;
    // The callback moves to a local while it runs: it may cancel its own timer (freeing the slot).
    TimerCallback callback = std::move(timer.callback);
    if (period.count() == 0) release(slot);
    try {
      callback(due);
    } catch (...) {
      if (period.count() > 0) cancel(TimerId(serial, slot));
      throw;
    }
    if (period.count() == 0 || slots_[slot]->serial != serial) return;  // done, or cancelled by its callback
    // Re-armed after the callback, on the grid due + k * period (never from when this run started,
    // so no drift): the first grid time after now, which skips the periods a slow callback missed.
    LiveTimer& periodic = *slots_[slot];
    periodic.callback = std::move(callback);
    const Timestamp current = now();
    Timestamp next = due + period;
    if (next <= current) next = due + period * ((current - due) / period + 1);
    periodic.due = next;
    arm(slot);
  }
};

LiveScheduler::LiveScheduler() : impl_(std::make_unique<Impl>()) {}

LiveScheduler::~LiveScheduler() = default;

Timestamp LiveScheduler::now() const { return impl_->now(); }

TimerId LiveScheduler::schedule_at(Timestamp when, TimerCallback callback) {
  return impl_->add(std::max(when, now()), Duration(0), std::move(callback));
}

TimerId LiveScheduler::schedule_every(Duration period, TimerCallback callback,
                                      std::optional<Timestamp> first) {
  if (period.count() <= 0) return TimerId::none();
  const Timestamp current = now();
  // A first time already past (the caller computed it a moment ago, on a loaded machine) moves
  // along its own grid, first + k * period, so periodic timers stay aligned (the Clock relies on it).
  Timestamp due = first.value_or(current + period);
  if (due < current) due = due + period * ((current - due) / period + 1);
  return impl_->add(due, period, std::move(callback));
}

bool LiveScheduler::cancel(TimerId id) { return impl_->cancel(id); }

void LiveScheduler::run() {
  impl_->io_.run();
  impl_->io_.restart();
}

void LiveScheduler::run_for(Duration duration) {
  impl_->io_.run_for(duration);
  if (impl_->io_.stopped()) impl_->io_.restart();
}

std::size_t LiveScheduler::poll() {
  const std::size_t ran = impl_->io_.poll();
  if (impl_->io_.stopped()) impl_->io_.restart();
  return ran;
}

void LiveScheduler::stop() { impl_->io_.stop(); }

void LiveScheduler::post(std::function<void()> task) { asio::post(impl_->io_, std::move(task)); }

std::size_t LiveScheduler::pending() const noexcept { return impl_->live_timers_; }

void* LiveScheduler::native_io_context() noexcept { return &impl_->io_; }

}  // namespace colibri
