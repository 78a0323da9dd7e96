#include "colibri/core/sim_scheduler.h"

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/core/test_allocations.h"

namespace colibri {
namespace {

Timestamp at_ms(std::int64_t ms) { return Timestamp::from_ms(ms); }

// Schedules a fixed mix of one-shot, periodic, cancelled and callback-scheduled timers, runs it for
// one simulated second and returns what ran, in order, as "label@ms".
std::vector<std::string> run_fixed_schedule() {
  SimScheduler scheduler(at_ms(1'000));
  std::vector<std::string> ran;
  const auto record = [&](std::string label) {
    return [&ran, &scheduler, label](Timestamp due) {
      EXPECT_EQ(scheduler.now(), due);
      ran.push_back(label + "@" + std::to_string(due.ms()));
    };
  };
  scheduler.schedule_after(300ms, record("a"));
  scheduler.schedule_at(at_ms(1'100), record("b"));
  scheduler.schedule_every(250ms, record("tick"));
  scheduler.schedule_at(at_ms(1'100), record("c"));
  const TimerId doomed = scheduler.schedule_at(at_ms(1'200), record("never"));
  scheduler.schedule_at(at_ms(1'150), [&](Timestamp due) {
    ran.push_back("d@" + std::to_string(due.ms()));
    scheduler.cancel(doomed);
    scheduler.schedule_after(100ms, record("e"));
    scheduler.schedule_after(0ms, record("f"));
  });
  scheduler.advance_to(at_ms(2'000));
  return ran;
}

TEST(SimScheduler, SameScheduleRunsInTheSameOrderEveryTime) {
  const std::vector<std::string> first = run_fixed_schedule();
  const std::vector<std::string> second = run_fixed_schedule();
  EXPECT_EQ(first, second);
  const std::vector<std::string> expected = {"b@1100", "c@1100", "d@1150",    "f@1150",    "tick@1250",
                                             "e@1250", "a@1300", "tick@1500", "tick@1750", "tick@2000"};
  EXPECT_EQ(first, expected);
}

TEST(SimScheduler, EqualTimesRunInScheduleOrder) {
  SimScheduler scheduler;
  std::vector<int> ran;
  for (int i = 0; i < 20; ++i) scheduler.schedule_at(at_ms(5), [&ran, i](Timestamp) { ran.push_back(i); });
  scheduler.schedule_at(at_ms(4), [&ran](Timestamp) { ran.push_back(-1); });
  EXPECT_EQ(scheduler.advance_to(at_ms(5)), 21u);
  ASSERT_EQ(ran.size(), 21u);
  EXPECT_EQ(ran.front(), -1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ran[static_cast<std::size_t>(i) + 1], i);
}

TEST(SimScheduler, AdvanceToRunsEachTimerAtItsTimeAndEndsAtTheTarget) {
  SimScheduler scheduler(at_ms(0));
  std::vector<Timestamp> seen;
  for (std::int64_t ms : {30, 10, 20}) {
    scheduler.schedule_at(at_ms(ms), [&](Timestamp due) {
      EXPECT_EQ(due, scheduler.now());
      seen.push_back(scheduler.now());
    });
  }
  EXPECT_EQ(scheduler.advance_to(at_ms(20)), 2u);  // inclusive of the target time
  EXPECT_EQ(scheduler.now(), at_ms(20));
  EXPECT_EQ(scheduler.advance_to(at_ms(25)), 0u);
  EXPECT_EQ(scheduler.now(), at_ms(25));
  EXPECT_EQ(scheduler.advance_by(10ms), 1u);
  EXPECT_EQ(seen, (std::vector<Timestamp>{at_ms(10), at_ms(20), at_ms(30)}));
  EXPECT_EQ(scheduler.now(), at_ms(35));
}

TEST(SimScheduler, TimeNeverMovesBackwards) {
  SimScheduler scheduler(at_ms(100));
  bool ran = false;
  scheduler.schedule_at(at_ms(150), [&](Timestamp) { ran = true; });
  EXPECT_EQ(scheduler.advance_to(at_ms(50)), 0u);
  EXPECT_EQ(scheduler.now(), at_ms(100));
  EXPECT_EQ(scheduler.advance_by(-10ms), 0u);
  EXPECT_EQ(scheduler.now(), at_ms(100));
  EXPECT_FALSE(ran);
}

TEST(SimScheduler, TimerInThePastRunsAtNowAfterThoseAlreadyDue) {
  SimScheduler scheduler(at_ms(100));
  std::vector<std::string> ran;
  scheduler.schedule_at(at_ms(100), [&](Timestamp) { ran.push_back("due"); });
  scheduler.schedule_at(at_ms(10), [&](Timestamp due) {
    EXPECT_EQ(due, at_ms(100));
    ran.push_back("late");
  });
  EXPECT_EQ(scheduler.next_due(), at_ms(100));
  scheduler.advance_to(at_ms(100));
  EXPECT_EQ(ran, (std::vector<std::string>{"due", "late"}));
}

TEST(SimScheduler, CancelledOneShotTimerDoesNotRun) {
  SimScheduler scheduler;
  bool ran = false;
  const TimerId id = scheduler.schedule_after(10ms, [&](Timestamp) { ran = true; });
  EXPECT_EQ(scheduler.pending(), 1u);
  EXPECT_TRUE(scheduler.cancel(id));
  EXPECT_FALSE(scheduler.cancel(id));  // a second cancel: no longer pending
  EXPECT_EQ(scheduler.pending(), 0u);
  EXPECT_EQ(scheduler.next_due(), std::nullopt);
  scheduler.advance_by(1s);
  EXPECT_FALSE(ran);
  EXPECT_FALSE(scheduler.cancel(TimerId::none()));
}

TEST(SimScheduler, CancelAfterRunningReturnsFalse) {
  SimScheduler scheduler;
  int runs = 0;
  const TimerId id = scheduler.schedule_after(1ms, [&](Timestamp) { ++runs; });
  scheduler.advance_by(1ms);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(scheduler.cancel(id));
}

TEST(SimScheduler, OneShotCancellingItselfWhileRunningReturnsFalse) {
  SimScheduler scheduler;
  TimerId id;
  bool cancelled = true;
  id = scheduler.schedule_after(1ms, [&](Timestamp) { cancelled = scheduler.cancel(id); });
  scheduler.advance_by(1ms);
  EXPECT_FALSE(cancelled);  // already running: it is no longer pending
}

TEST(SimScheduler, CancelledPeriodicTimerStopsRunning) {
  SimScheduler scheduler(at_ms(0));
  int runs = 0;
  const TimerId id = scheduler.schedule_every(10ms, [&](Timestamp) { ++runs; });
  scheduler.advance_to(at_ms(35));
  EXPECT_EQ(runs, 3);
  EXPECT_TRUE(scheduler.cancel(id));
  scheduler.advance_to(at_ms(1'000));
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(SimScheduler, PeriodicTimerCancelsItselfFromItsCallback) {
  SimScheduler scheduler(at_ms(0));
  int runs = 0;
  TimerId id;
  bool cancelled = false;
  id = scheduler.schedule_every(10ms, [&](Timestamp) {
    if (++runs == 3) cancelled = scheduler.cancel(id);
  });
  scheduler.advance_to(at_ms(1'000));
  EXPECT_EQ(runs, 3);
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(SimScheduler, CallbackCancelsAnotherTimerDueAtTheSameTime) {
  SimScheduler scheduler;
  bool second_ran = false;
  TimerId second;
  scheduler.schedule_at(at_ms(5), [&](Timestamp) { EXPECT_TRUE(scheduler.cancel(second)); });
  second = scheduler.schedule_at(at_ms(5), [&](Timestamp) { second_ran = true; });
  EXPECT_EQ(scheduler.advance_to(at_ms(5)), 1u);
  EXPECT_FALSE(second_ran);
}

TEST(SimScheduler, PeriodicTimerReArmsExactlyOnItsGrid) {
  SimScheduler scheduler(at_ms(0));
  std::vector<std::int64_t> dues;
  scheduler.schedule_every(
      7ms, [&](Timestamp due) { dues.push_back(due.ms()); }, at_ms(3));
  // Uneven steps must not shift the grid.
  for (std::int64_t target : {1, 5, 9, 10, 30, 31, 45}) scheduler.advance_to(at_ms(target));
  EXPECT_EQ(dues, (std::vector<std::int64_t>{3, 10, 17, 24, 31, 38, 45}));
}

TEST(SimScheduler, PeriodicTimerStartsOnePeriodFromNowByDefault) {
  SimScheduler scheduler(at_ms(1'000));
  std::vector<std::int64_t> dues;
  scheduler.schedule_every(100ms, [&](Timestamp due) { dues.push_back(due.ms()); });
  scheduler.advance_to(at_ms(1'250));
  EXPECT_EQ(dues, (std::vector<std::int64_t>{1'100, 1'200}));
}

TEST(SimScheduler, NonPositivePeriodSchedulesNothing) {
  SimScheduler scheduler;
  EXPECT_TRUE(scheduler.schedule_every(0ms, [](Timestamp) {}).is_none());
  EXPECT_TRUE(scheduler.schedule_every(-5ms, [](Timestamp) {}).is_none());
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(SimScheduler, TimerIdsAreNeverReused) {
  SimScheduler scheduler;
  const TimerId first = scheduler.schedule_after(1ms, [](Timestamp) {});
  EXPECT_TRUE(scheduler.cancel(first));
  bool second_ran = false;
  const TimerId second = scheduler.schedule_after(1ms, [&](Timestamp) { second_ran = true; });
  EXPECT_NE(first, second);
  EXPECT_EQ(first.slot(), second.slot());  // storage is reused, the id is not
  EXPECT_FALSE(scheduler.cancel(first));   // the old id cannot cancel the new timer
  scheduler.advance_by(1ms);
  EXPECT_TRUE(second_ran);
}

TEST(SimScheduler, RunNextAndRunUntilIdleDriveTimeToEachTimer) {
  SimScheduler scheduler(at_ms(0));
  std::vector<std::int64_t> dues;
  scheduler.schedule_at(at_ms(20), [&](Timestamp due) { dues.push_back(due.ms()); });
  scheduler.schedule_at(at_ms(10), [&](Timestamp due) {
    dues.push_back(due.ms());
    scheduler.schedule_after(5ms, [&](Timestamp later) { dues.push_back(later.ms()); });
  });
  EXPECT_EQ(scheduler.next_due(), at_ms(10));
  EXPECT_TRUE(scheduler.run_next());
  EXPECT_EQ(scheduler.now(), at_ms(10));
  EXPECT_EQ(scheduler.run_until_idle(100), 2u);
  EXPECT_EQ(scheduler.now(), at_ms(20));
  EXPECT_FALSE(scheduler.run_next());
  EXPECT_EQ(dues, (std::vector<std::int64_t>{10, 15, 20}));

  scheduler.schedule_every(1ms, [](Timestamp) {});
  EXPECT_EQ(scheduler.run_until_idle(50), 50u);  // a periodic timer never lets it go idle
  EXPECT_EQ(scheduler.now(), at_ms(70));
}

TEST(SimScheduler, ManyCancelledTimersLeaveTheRestInOrder) {
  SimScheduler scheduler(at_ms(0));
  std::vector<TimerId> far;
  for (int i = 0; i < 1'000; ++i)
    far.push_back(scheduler.schedule_at(at_ms(1'000'000 + i), [](Timestamp) {}));
  std::vector<std::int64_t> dues;
  for (std::int64_t ms : {40, 10, 30, 20}) {
    scheduler.schedule_at(at_ms(ms), [&](Timestamp due) { dues.push_back(due.ms()); });
  }
  for (const TimerId id : far) EXPECT_TRUE(scheduler.cancel(id));
  EXPECT_EQ(scheduler.pending(), 4u);
  EXPECT_EQ(scheduler.next_due(), at_ms(10));
  EXPECT_EQ(scheduler.advance_to(at_ms(2'000'000)), 4u);
  EXPECT_EQ(dues, (std::vector<std::int64_t>{10, 20, 30, 40}));
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(SimScheduler, PeriodicReArmDoesNotAllocateInSteadyState) {
  SimScheduler scheduler(at_ms(0));
  std::int64_t sum = 0;
  std::array<std::int64_t, 8> big_capture{};  // too big for std::function's inline buffer
  scheduler.schedule_every(1ms, [&sum, big_capture](Timestamp due) { sum += due.ms() + big_capture[0]; });
  scheduler.schedule_every(3ms, [&sum](Timestamp) { ++sum; });
  scheduler.advance_to(at_ms(100));  // warm up: the heap reaches its steady size
  const std::size_t before = testing::allocations_on_this_thread();
  scheduler.advance_to(at_ms(10'000));
  EXPECT_EQ(testing::allocations_on_this_thread(), before);
  EXPECT_GT(sum, 0);
}

TEST(SimScheduler, ThrowingCallbackCancelsItsTimerAndLeavesTheSchedulerUsable) {
  SimScheduler scheduler(at_ms(0));
  int runs = 0;
  scheduler.schedule_every(10ms, [&](Timestamp) {
    ++runs;
    throw std::runtime_error("strategy bug");
  });
  EXPECT_THROW(scheduler.advance_to(at_ms(100)), std::runtime_error);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(scheduler.pending(), 0u);
  bool ran = false;
  scheduler.schedule_after(1ms, [&](Timestamp) { ran = true; });
  scheduler.advance_to(at_ms(200));
  EXPECT_TRUE(ran);
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace colibri
