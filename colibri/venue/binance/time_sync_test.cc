#include "colibri/venue/binance/time_sync.h"

#include <cstdlib>
#include <random>

#include <gtest/gtest.h>

namespace colibri::venue::binance {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr Timestamp kT0 = Timestamp::from_ms(1723161254000);

ServerClock make(ServerClockConfig config = {}) { return *ServerClock::create(config); }

// A sample of a server whose clock is `offset` ahead of ours: the request takes `out` to arrive,
// the answer `back` to return; the server's time is truncated to the millisecond as Binance's is.
TimeSample sample(Timestamp sent, Duration offset, Duration out, Duration back) {
  const Timestamp at_server = sent + out + offset;
  return {sent, Timestamp::from_ms(at_server.ms()), sent + out + back};
}

TEST(ServerClock, OneSymmetricSampleGivesTheMidpointOffset) {
  ServerClock clock = make();
  EXPECT_FALSE(clock.synchronised());
  EXPECT_EQ(clock.server_time(kT0), kT0);  // nothing known yet: unchanged
  // Sent at t0, server said t0 + 500 ms, answered at t0 + 20 ms: offset 500.5 - 10 = 490.5 ms.
  ASSERT_TRUE(clock.add({kT0, kT0 + milliseconds(500), kT0 + milliseconds(20)}));
  EXPECT_TRUE(clock.synchronised());
  EXPECT_EQ(clock.offset(), microseconds(490'500));
  EXPECT_EQ(clock.uncertainty(), microseconds(10'500));
  EXPECT_EQ(clock.server_time(kT0 + milliseconds(100)), kT0 + microseconds(590'500));
  EXPECT_EQ(clock.signing_time(kT0 + milliseconds(100)), kT0 + microseconds(580'000));
  EXPECT_EQ(clock.local_time(kT0 + microseconds(590'500)), kT0 + milliseconds(100));
}

TEST(ServerClock, LongRoundTripsWithAsymmetricDelayDoNotMoveTheEstimate) {
  const Duration truth = milliseconds(-1270);  // our clock is 1.27 s ahead of the server's
  ServerClock clock = make({.window = 8, .best = 3});
  // Three quick, symmetric samples...
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(clock.add(sample(kT0 + milliseconds(1000 * i), truth, milliseconds(4), milliseconds(4))));
  }
  // ...and five slow ones, delayed on the way back only (they alone would say -1270 - 150 ms).
  for (int i = 3; i < 8; ++i) {
    ASSERT_TRUE(clock.add(sample(kT0 + milliseconds(1000 * i), truth, milliseconds(2), milliseconds(302))));
  }
  const Duration error = *clock.offset() - truth;
  EXPECT_LE(std::abs(error.count()), clock.uncertainty()->count());
  EXPECT_LE(std::abs(error.count()), Duration(microseconds(1'000)).count());
}

TEST(ServerClock, MedianOfTheBestIgnoresOneWildSample) {
  ServerClock clock = make({.window = 8, .best = 3});
  const Duration truth = milliseconds(300);
  ASSERT_TRUE(clock.add(sample(kT0, truth, milliseconds(3), milliseconds(3))));
  ASSERT_TRUE(clock.add(sample(kT0 + milliseconds(10), truth, milliseconds(3), milliseconds(3))));
  // A quick sample whose server answer is 40 ms off (a server-side stall before reading its clock
  // cannot do this with a 6 ms round trip, but a clock step can).
  ASSERT_TRUE(clock.add({kT0 + milliseconds(20), kT0 + milliseconds(363), kT0 + milliseconds(26)}));
  EXPECT_LE(std::abs((*clock.offset() - truth).count()), Duration(microseconds(3'500)).count());
}

TEST(ServerClock, OldSamplesLeaveTheWindowSoAStepIsFollowed) {
  ServerClock clock = make({.window = 4, .best = 3});
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(
        clock.add(sample(kT0 + milliseconds(i), milliseconds(100), milliseconds(5), milliseconds(5))));
  EXPECT_NEAR(std::chrono::duration_cast<milliseconds>(*clock.offset()).count(), 100, 1);
  // The server's clock (or ours) stepped by 2 s: after a full window the estimate has followed.
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(
        clock.add(sample(kT0 + milliseconds(100 + i), milliseconds(2100), milliseconds(5), milliseconds(5))));
  EXPECT_NEAR(std::chrono::duration_cast<milliseconds>(*clock.offset()).count(), 2100, 1);
  EXPECT_EQ(clock.samples(), 4u);
}

TEST(ServerClock, RestartForgetsEverything) {
  ServerClock clock = make();
  ASSERT_TRUE(clock.add(sample(kT0, milliseconds(100), milliseconds(5), milliseconds(5))));
  clock.restart();
  EXPECT_FALSE(clock.synchronised());
  EXPECT_EQ(clock.samples(), 0u);
  EXPECT_EQ(clock.offset(), std::nullopt);
  EXPECT_EQ(clock.signing_time(kT0), kT0);
}

TEST(ServerClock, RefusesImpossibleOrUselessSamples) {
  ServerClock clock = make({.window = 8, .best = 3, .max_round_trip = std::chrono::seconds(1)});
  auto added = clock.add({kT0, kT0, kT0 - milliseconds(1)});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code(), ErrorCode::InvalidArgument);
  EXPECT_FALSE(clock.add({Timestamp::none(), kT0, kT0}));
  EXPECT_FALSE(clock.add({kT0, Timestamp::none(), kT0}));
  added = clock.add({kT0, kT0, kT0 + milliseconds(1500)});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code(), ErrorCode::OutOfRange);
  EXPECT_FALSE(clock.synchronised());
  // A server clock a day and more away from ours: a misconfiguration, reported, not followed.
  added = clock.add({kT0, kT0 + std::chrono::hours(25), kT0 + milliseconds(10)});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code(), ErrorCode::OutOfRange);
  EXPECT_FALSE(clock.add({kT0, Timestamp::from_ms(INT64_MAX / 1'000'000), kT0 + milliseconds(10)}));
  EXPECT_FALSE(clock.add({Timestamp::from_ns(INT64_MIN + 1), Timestamp::from_ns(INT64_MAX - 1),
                          Timestamp::from_ns(INT64_MIN + 2)}));
  EXPECT_FALSE(clock.synchronised());
}

TEST(ServerClock, ConfigurationIsChecked) {
  EXPECT_FALSE(ServerClock::create({.window = 0}));
  EXPECT_FALSE(ServerClock::create({.window = ServerClock::kMaxWindow + 1}));
  EXPECT_FALSE(ServerClock::create({.window = 4, .best = 5}));
  EXPECT_FALSE(ServerClock::create({.window = 4, .best = 0}));
  EXPECT_FALSE(ServerClock::create({.window = 4, .best = 2, .max_round_trip = Duration::zero()}));
  EXPECT_FALSE(ServerClock::create({.window = 4, .best = 2, .max_offset = Duration::zero()}));
  EXPECT_TRUE(ServerClock::create({.window = 1, .best = 1}));
}

TEST(ServerClock, EstimateStaysWithinItsUncertaintyAndSigningTimeIsNeverAhead) {
  // Seeded random delays (1..80 ms each way, independent) and offsets; the documented bound holds
  // for every prefix of the sample sequence.
  std::mt19937_64 random(20241122);
  std::uniform_int_distribution<std::int64_t> delay_us(1'000, 80'000);
  std::uniform_int_distribution<std::int64_t> offset_ms(-5'000, 5'000);
  for (int round = 0; round < 200; ++round) {
    ServerClock clock = make({.window = 8, .best = 3});
    const Duration truth = milliseconds(offset_ms(random));
    Timestamp sent = kT0;
    for (int i = 0; i < 10; ++i) {
      sent += milliseconds(997);
      ASSERT_TRUE(
          clock.add(sample(sent, truth, microseconds(delay_us(random)), microseconds(delay_us(random)))));
      const Duration error = *clock.offset() - truth;
      ASSERT_LE(std::abs(error.count()), clock.uncertainty()->count())
          << "round " << round << " sample " << i;
      const Timestamp later = sent + milliseconds(500);
      ASSERT_LE(clock.signing_time(later), later + truth);
    }
  }
}

}  // namespace
}  // namespace colibri::venue::binance
