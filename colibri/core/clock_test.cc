#include "colibri/core/clock.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/core/live_scheduler.h"
#include "colibri/core/sim_scheduler.h"

namespace colibri {
namespace {

Timestamp at_ms(std::int64_t ms) { return Timestamp::from_ms(ms); }

// Records every start, stop and tick into a shared journal as "name:event", and runs an optional
// action on each tick.
class RecordingIterator : public TimeIterator {
 public:
  RecordingIterator(std::string name, std::vector<std::string>& journal)
      : name_(std::move(name)), journal_(journal) {}

  void start(Clock& /*clock*/, Timestamp now) override {
    journal_.push_back(name_ + ":start@" + std::to_string(now.ms()));
  }
  void stop(Clock& /*clock*/) override { journal_.push_back(name_ + ":stop"); }
  void tick(Timestamp now) override {
    journal_.push_back(name_ + ":tick@" + std::to_string(now.ms()));
    ticks_.push_back(now);
    if (on_tick) on_tick(now);
  }

  std::function<void(Timestamp)> on_tick;
  [[nodiscard]] const std::vector<Timestamp>& ticks() const { return ticks_; }

 private:
  std::string name_;
  std::vector<std::string>& journal_;
  std::vector<Timestamp> ticks_;
};

TEST(Clock, TicksIteratorsInTheOrderTheyWereAdded) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler, 1s);
  std::vector<std::string> journal;
  RecordingIterator connector("connector", journal), strategy("strategy", journal),
      recorder("recorder", journal);
  clock.add_iterator(connector);
  clock.add_iterator(strategy);
  clock.add_iterator(recorder);
  EXPECT_FALSE(clock.add_iterator(strategy));  // already there: no double ticks
  clock.start();
  scheduler.advance_to(at_ms(2'000));
  const std::vector<std::string> expected = {
      "connector:start@0",   "strategy:start@0",   "recorder:start@0",
      "connector:tick@1000", "strategy:tick@1000", "recorder:tick@1000",
      "connector:tick@2000", "strategy:tick@2000", "recorder:tick@2000"};
  EXPECT_EQ(journal, expected);
  EXPECT_EQ(clock.tick_count(), 2u);
  EXPECT_EQ(clock.last_tick(), at_ms(2'000));
}

TEST(Clock, TicksAreAlignedToMultiplesOfTheTickSize) {
  SimScheduler scheduler(at_ms(1'234'567));
  Clock clock(scheduler, 250ms);
  std::vector<std::string> journal;
  RecordingIterator strategy("strategy", journal);
  clock.add_iterator(strategy);
  EXPECT_EQ(clock.last_tick(), Timestamp::none());
  clock.start();
  scheduler.advance_to(at_ms(1'235'600));
  EXPECT_EQ(strategy.ticks(),
            (std::vector<Timestamp>{at_ms(1'234'750), at_ms(1'235'000), at_ms(1'235'250), at_ms(1'235'500)}));
}

TEST(Clock, StartingOnAMultipleTicksFirstOnTheNextOne) {
  SimScheduler scheduler(at_ms(10'000));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator strategy("strategy", journal);
  clock.add_iterator(strategy);
  clock.start();
  scheduler.advance_to(at_ms(11'000));
  EXPECT_EQ(strategy.ticks(), std::vector<Timestamp>{at_ms(11'000)});
}

TEST(Clock, TickSizeMustBeWholeMillisecondsFromOneMillisecondToOneHour) {
  for (Duration good : {Duration(1ms), Duration(250ms), Duration(1s), Duration(std::chrono::hours(1))}) {
    EXPECT_TRUE(Clock::check_tick_size(good)) << good.count();
  }
  for (Duration bad : {Duration(0), Duration(-1s), Duration(999us), Duration(1500us),
                       Duration(std::chrono::hours(1) + 1ms)}) {
    auto checked = Clock::check_tick_size(bad);
    ASSERT_FALSE(checked) << bad.count();
    EXPECT_EQ(checked.error().code(), ErrorCode::InvalidArgument);
    EXPECT_NE(checked.error().message().find(std::to_string(bad.count())), std::string::npos);
  }
  SimScheduler scheduler;
  EXPECT_THROW(Clock(scheduler, 500us), StartupError);
  EXPECT_NO_THROW(Clock(scheduler, 1ms));
}

TEST(Clock, StopsIteratorsInReverseOrderAndStopsTicking) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator connector("connector", journal), strategy("strategy", journal);
  clock.add_iterator(connector);
  clock.add_iterator(strategy);
  EXPECT_FALSE(clock.stop());  // not started
  EXPECT_TRUE(clock.start());
  EXPECT_FALSE(clock.start());
  scheduler.advance_to(at_ms(1'000));
  journal.clear();
  EXPECT_TRUE(clock.stop());
  EXPECT_EQ(journal, (std::vector<std::string>{"strategy:stop", "connector:stop"}));
  EXPECT_EQ(scheduler.pending(), 0u);
  scheduler.advance_to(at_ms(5'000));
  EXPECT_EQ(clock.tick_count(), 1u);
  EXPECT_FALSE(clock.is_started());
}

TEST(Clock, AddingToAStartedClockStartsTheIteratorAndRemovingStopsIt) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator connector("connector", journal), strategy("strategy", journal);
  clock.add_iterator(connector);
  clock.start();
  scheduler.advance_to(at_ms(1'500));
  clock.add_iterator(strategy);
  scheduler.advance_to(at_ms(2'000));
  EXPECT_TRUE(clock.remove_iterator(connector));
  EXPECT_FALSE(clock.remove_iterator(connector));
  scheduler.advance_to(at_ms(3'000));
  const std::vector<std::string> expected = {
      "connector:start@0",  "connector:tick@1000", "strategy:start@1500", "connector:tick@2000",
      "strategy:tick@2000", "connector:stop",      "strategy:tick@3000"};
  EXPECT_EQ(journal, expected);
}

TEST(Clock, RemovingIteratorsDuringATickIsSafe) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator first("first", journal), second("second", journal), third("third", journal);
  clock.add_iterator(first);
  clock.add_iterator(second);
  clock.add_iterator(third);
  clock.start();
  journal.clear();
  first.on_tick = [&](Timestamp) {
    clock.remove_iterator(second);  // not ticked yet in this tick: it must not be
    clock.remove_iterator(first);   // itself, while running
  };
  scheduler.advance_to(at_ms(2'000));
  const std::vector<std::string> expected = {"first:tick@1000", "second:stop", "first:stop",
                                             "third:tick@1000", "third:tick@2000"};
  EXPECT_EQ(journal, expected);
}

TEST(Clock, IteratorAddedDuringATickIsTickedFromTheNextTick) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator first("first", journal), late("late", journal);
  clock.add_iterator(first);
  first.on_tick = [&](Timestamp) { clock.add_iterator(late); };
  clock.start();
  journal.clear();
  scheduler.advance_to(at_ms(2'000));
  const std::vector<std::string> expected = {"first:tick@1000", "late:start@1000", "first:tick@2000",
                                             "late:tick@2000"};
  EXPECT_EQ(journal, expected);
}

TEST(Clock, StoppingDuringATickSkipsTheRestOfIt) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator first("first", journal), second("second", journal);
  clock.add_iterator(first);
  clock.add_iterator(second);
  first.on_tick = [&](Timestamp) { clock.stop(); };
  clock.start();
  journal.clear();
  scheduler.advance_to(at_ms(5'000));
  EXPECT_EQ(journal, (std::vector<std::string>{"first:tick@1000", "second:stop", "first:stop"}));
  EXPECT_EQ(clock.tick_count(), 1u);
}

TEST(Clock, CanBeRestartedAfterStopping) {
  SimScheduler scheduler(at_ms(0));
  Clock clock(scheduler);
  std::vector<std::string> journal;
  RecordingIterator strategy("strategy", journal);
  clock.add_iterator(strategy);
  clock.start();
  scheduler.advance_to(at_ms(1'000));
  clock.stop();
  scheduler.advance_to(at_ms(3'500));
  clock.start();
  scheduler.advance_to(at_ms(4'000));
  EXPECT_EQ(strategy.ticks(), (std::vector<Timestamp>{at_ms(1'000), at_ms(4'000)}));
  EXPECT_EQ(clock.tick_count(), 2u);
}

TEST(Clock, DestroyingAStartedClockCancelsItsTicks) {
  SimScheduler scheduler(at_ms(0));
  {
    Clock clock(scheduler);
    clock.start();
    EXPECT_EQ(scheduler.pending(), 1u);
  }
  EXPECT_EQ(scheduler.pending(), 0u);
  scheduler.advance_to(at_ms(10'000));  // would use the destroyed clock if a tick were left
}

TEST(Clock, RunsOnTheLiveSchedulerWithAOneMillisecondTick) {
  LiveScheduler scheduler;
  Clock clock(scheduler, 1ms);
  std::vector<std::string> journal;
  RecordingIterator strategy("strategy", journal);
  clock.add_iterator(strategy);
  const Timestamp started = scheduler.now();
  clock.start();
  scheduler.run_for(50ms);
  clock.stop();
  // Loose: a loaded machine may run late, but 50 ms of wall time hold more than 5 ticks of 1 ms.
  ASSERT_GE(strategy.ticks().size(), 5u);
  EXPECT_EQ(clock.tick_count(), strategy.ticks().size());
  for (std::size_t i = 0; i < strategy.ticks().size(); ++i) {
    const Timestamp tick = strategy.ticks()[i];
    EXPECT_EQ(tick.ns() % 1'000'000, 0) << "tick " << i << " not on a millisecond";
    EXPECT_GT(tick, started);
    if (i > 0) {
      EXPECT_GT(tick, strategy.ticks()[i - 1]);
    }
  }
  EXPECT_LE(clock.last_tick(), scheduler.now());
  EXPECT_EQ(journal.back(), "strategy:stop");
}

}  // namespace
}  // namespace colibri
