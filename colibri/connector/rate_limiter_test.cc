#include "colibri/connector/rate_limiter.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "colibri/core/test_allocations.h"

namespace colibri::connector {
namespace {

Timestamp at_ms(std::int64_t ms) { return Timestamp::from_ms(ms); }

RateLimiter make(const RateLimitConfig& config) {
  auto limiter = RateLimiter::create(config);
  EXPECT_TRUE(limiter.has_value()) << limiter.error().describe();
  return std::move(*limiter);
}

RequestKindId kind(const RateLimiter& limiter, std::string_view id) { return limiter.find_kind(id).value(); }
RatePoolId pool(const RateLimiter& limiter, std::string_view id) { return limiter.find_pool(id).value(); }

// ORDERS: 2 per 10 s; WEIGHT: 10 per 60 s. An order weighs 1 in both; a query weighs 4 in WEIGHT.
RateLimitConfig linked_config() {
  return RateLimitConfig{
      {RatePool{"ORDERS", 2, 10s, ""}, RatePool{"WEIGHT", 10, 60s, "X-Used-Weight"}},
      {RequestKind{"order", {PoolWeight{"WEIGHT", 1}, PoolWeight{"ORDERS", 1}}},
       RequestKind{"query", {PoolWeight{"WEIGHT", 4}}}},
  };
}

TEST(RateLimiter, BurstUpToTheLimitThenRefusalWithTheEarliestTimeThenRecovery) {
  RateLimiter limiter = make({{RatePool{"P", 5, 10s, ""}}, {RequestKind{"k", {PoolWeight{"P", 1}}}}});
  const RequestKindId k = kind(limiter, "k");
  for (std::int64_t ms : {0, 1000, 2000, 3000, 4000}) EXPECT_TRUE(limiter.acquire(k, at_ms(ms))) << ms;

  const RateAdmission refused = limiter.acquire(k, at_ms(4500));
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.retry_at, at_ms(10'000));  // the request at 0 leaves the window at 10 s
  EXPECT_FALSE(limiter.acquire(k, at_ms(9999)));
  EXPECT_EQ(limiter.usage(pool(limiter, "P"), at_ms(9999)), 5);

  EXPECT_TRUE(limiter.acquire(k, at_ms(10'000)));  // recovery exactly at the earliest time
  const RateAdmission next = limiter.acquire(k, at_ms(10'000));
  EXPECT_FALSE(next.granted);
  EXPECT_EQ(next.retry_at, at_ms(11'000));
  EXPECT_EQ(limiter.usage(pool(limiter, "P"), at_ms(30'000)), 0);  // the whole window has passed
}

TEST(RateLimiter, WeightedKindsWaitUntilEnoughWeightLeavesTheWindow) {
  RateLimiter limiter =
      make({{RatePool{"W", 10, 60s, ""}},
            {RequestKind{"a", {PoolWeight{"W", 3}}}, RequestKind{"b", {PoolWeight{"W", 4}}}}});
  const RequestKindId a = kind(limiter, "a");
  const RequestKindId b = kind(limiter, "b");
  EXPECT_TRUE(limiter.acquire(a, at_ms(0)));     // 3
  EXPECT_TRUE(limiter.acquire(b, at_ms(1000)));  // 7
  EXPECT_TRUE(limiter.acquire(a, at_ms(2000)));  // 10: exactly the limit
  // a (3) needs the 3 recorded at 0 to leave; b (4) needs 0 and 1 s to leave.
  EXPECT_EQ(limiter.acquire(a, at_ms(3000)).retry_at, at_ms(60'000));
  EXPECT_EQ(limiter.acquire(b, at_ms(3000)).retry_at, at_ms(61'000));
  EXPECT_EQ(limiter.usage(pool(limiter, "W"), at_ms(3000)), 10);  // refusals record nothing

  EXPECT_FALSE(limiter.acquire(b, at_ms(60'000)));
  EXPECT_TRUE(limiter.acquire(a, at_ms(60'000)));                        // 7 - 3 + 3 = 10
  EXPECT_EQ(limiter.acquire(b, at_ms(60'500)).retry_at, at_ms(61'000));  // 1 s leaves: 6 + 4
}

TEST(RateLimiter, AnOrderCountsAgainstBothLinkedPools) {
  RateLimiter limiter = make(linked_config());
  const RequestKindId order = kind(limiter, "order");
  const RequestKindId query = kind(limiter, "query");
  const RatePoolId orders = pool(limiter, "ORDERS");
  const RatePoolId weight = pool(limiter, "WEIGHT");

  EXPECT_TRUE(limiter.acquire(order, at_ms(0)));
  EXPECT_TRUE(limiter.acquire(order, at_ms(0)));
  EXPECT_EQ(limiter.usage(orders, at_ms(0)), 2);
  EXPECT_EQ(limiter.usage(weight, at_ms(0)), 2);

  // ORDERS is full, WEIGHT is not: the order waits for ORDERS and is recorded in neither.
  const RateAdmission third = limiter.acquire(order, at_ms(1000));
  EXPECT_FALSE(third.granted);
  EXPECT_EQ(third.retry_at, at_ms(10'000));
  EXPECT_EQ(limiter.usage(weight, at_ms(1000)), 2);

  EXPECT_TRUE(limiter.acquire(query, at_ms(1000)));  // 6
  EXPECT_TRUE(limiter.acquire(query, at_ms(2000)));  // 10: WEIGHT is full
  // At 10 s ORDERS has room again but WEIGHT holds the orders of 0 s until 60 s.
  const RateAdmission later = limiter.acquire(order, at_ms(10'000));
  EXPECT_FALSE(later.granted);
  EXPECT_EQ(later.retry_at, at_ms(60'000));
  EXPECT_EQ(limiter.usage(orders, at_ms(10'000)), 0);
  EXPECT_TRUE(limiter.acquire(order, at_ms(60'000)));
  EXPECT_EQ(limiter.usage(orders, at_ms(60'000)), 1);
  EXPECT_EQ(limiter.usage(weight, at_ms(60'000)), 9);
}

TEST(RateLimiter, BlockUntilRefusesEveryKindUntilThen) {
  RateLimiter limiter = make(linked_config());
  const RequestKindId order = kind(limiter, "order");
  const RequestKindId query = kind(limiter, "query");
  limiter.block_until(at_ms(5000));  // e.g. 429 with Retry-After: 5
  limiter.block_until(at_ms(3000));  // a shorter block never shortens it
  EXPECT_EQ(limiter.blocked_until(), at_ms(5000));

  EXPECT_EQ(limiter.acquire(order, at_ms(0)).retry_at, at_ms(5000));
  EXPECT_EQ(limiter.acquire(query, at_ms(4999)).retry_at, at_ms(5000));
  EXPECT_EQ(limiter.usage(pool(limiter, "WEIGHT"), at_ms(4999)), 0);
  EXPECT_TRUE(limiter.acquire(order, at_ms(5000)));
  EXPECT_TRUE(limiter.acquire(order, at_ms(5000)));

  // Blocked until 8 s, and ORDERS full until 15 s: the later of the two.
  limiter.block_until(at_ms(8000));
  EXPECT_EQ(limiter.acquire(order, at_ms(6000)).retry_at, at_ms(15'000));
  EXPECT_EQ(limiter.acquire(query, at_ms(6000)).retry_at, at_ms(8000));
}

TEST(RateLimiter, ResponseHeaderRaisesTheCountButNeverLowersIt) {
  RateLimiter limiter = make(linked_config());
  const RequestKindId query = kind(limiter, "query");
  const RatePoolId weight = pool(limiter, "WEIGHT");
  EXPECT_TRUE(limiter.acquire(query, at_ms(0)));  // 4

  // Another program on the same IP used weight: the venue counts 8.
  EXPECT_EQ(limiter.update_from_header("x-used-WEIGHT", " 8", at_ms(1000)), RateHeader::Applied);
  EXPECT_EQ(limiter.usage(weight, at_ms(1000)), 8);
  const RateAdmission refused = limiter.acquire(query, at_ms(1000));
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.retry_at, at_ms(60'000));  // our 4 of 0 s leave at 60 s: 4 + 4 = 8 <= 10

  EXPECT_EQ(limiter.update_from_header("X-Used-Weight", "3", at_ms(2000)), RateHeader::Applied);
  EXPECT_EQ(limiter.usage(weight, at_ms(2000)), 8);  // never lowered
  // The raised difference lasts a whole interval from when it was learnt (1 s).
  EXPECT_EQ(limiter.usage(weight, at_ms(60'000)), 4);
  EXPECT_EQ(limiter.usage(weight, at_ms(61'000)), 0);

  EXPECT_EQ(limiter.update_from_header("X-Used-Weight", "12x", at_ms(62'000)), RateHeader::Malformed);
  EXPECT_EQ(limiter.update_from_header("X-Used-Weight", "", at_ms(62'000)), RateHeader::Malformed);
  EXPECT_EQ(limiter.update_from_header("Content-Length", "12", at_ms(62'000)), RateHeader::NotTracked);
  EXPECT_EQ(limiter.usage(weight, at_ms(62'000)), 0);

  // A figure above the limit (the venue already refused someone): blocks until it leaves.
  limiter.raise_usage(weight, 25, at_ms(70'000));
  EXPECT_EQ(limiter.acquire(query, at_ms(70'000)).retry_at, at_ms(130'000));
}

TEST(RateLimiter, ConfigurationErrorsNameThePoolOrKind) {
  const auto error_of = [](const RateLimitConfig& config) {
    auto limiter = RateLimiter::create(config);
    EXPECT_FALSE(limiter.has_value());
    return limiter ? std::string() : limiter.error().message();
  };
  const RatePool orders{"ORDERS", 50, 10s, ""};
  EXPECT_NE(
      error_of({{orders}, {RequestKind{"big", {PoolWeight{"ORDERS", 51}}}}}).find("above the pool's limit"),
      std::string::npos);
  EXPECT_NE(error_of({{orders}, {RequestKind{"big", {PoolWeight{"ORDERS", 51}}}}}).find("big"),
            std::string::npos);
  EXPECT_NE(error_of({{orders}, {RequestKind{"k", {PoolWeight{"WEIGHT", 1}}}}})
                .find("unknown rate pool \"WEIGHT\""),
            std::string::npos);
  EXPECT_NE(error_of({{orders}, {RequestKind{"k", {PoolWeight{"ORDERS", 0}}}}}).find("must be positive"),
            std::string::npos);
  EXPECT_NE(error_of({{orders}, {RequestKind{"k", {}}}}).find("consumes no pool"), std::string::npos);
  EXPECT_NE(error_of({{orders}, {RequestKind{"k", {PoolWeight{"ORDERS", 1}, PoolWeight{"ORDERS", 1}}}}})
                .find("linked twice"),
            std::string::npos);
  EXPECT_NE(error_of({{orders, orders}, {}}).find("ORDERS: defined twice"), std::string::npos);
  EXPECT_NE(error_of({{RatePool{"Z", 0, 10s, ""}}, {}}).find("Z: limit must be positive"), std::string::npos);
  EXPECT_NE(error_of({{RatePool{"I", 5, 0s, ""}}, {}}).find("I: interval must be positive"),
            std::string::npos);
  EXPECT_NE(error_of({{RatePool{"", 5, 1s, ""}}, {}}).find("no id"), std::string::npos);
  EXPECT_EQ(RateLimiter::create({{orders}, {}})->find_kind("nope").error().code(), ErrorCode::NotFound);
}

TEST(RateLimiter, ManyPoolsEachKeepTheirOwnLimit) {
  // 1000 endpoint pools, pool i allowing i + 1 per second, all linked to one shared pool.
  RateLimitConfig config;
  config.pools.push_back(RatePool{"SHARED", 1'000'000, 1s, ""});
  for (int i = 0; i < 1000; ++i) {
    config.pools.push_back(RatePool{fmt::format("P{}", i), i + 1, 1s, ""});
    config.kinds.push_back(
        RequestKind{fmt::format("K{}", i), {PoolWeight{fmt::format("P{}", i), 1}, PoolWeight{"SHARED", 1}}});
  }
  RateLimiter limiter = make(config);
  EXPECT_EQ(limiter.pool_count(), 1001u);
  std::int64_t expected_shared = 0;
  for (int i = 0; i < 1000; ++i) {
    const RequestKindId k = kind(limiter, fmt::format("K{}", i));
    for (int n = 0; n <= i; ++n) ASSERT_TRUE(limiter.acquire(k, at_ms(n))) << i << " " << n;
    const RateAdmission refused = limiter.acquire(k, at_ms(999));
    ASSERT_FALSE(refused.granted) << i;
    ASSERT_EQ(refused.retry_at, at_ms(1000)) << i;
    expected_shared += i + 1;
  }
  EXPECT_EQ(limiter.usage(pool(limiter, "SHARED"), at_ms(999)), expected_shared);
  EXPECT_EQ(limiter.usage(pool(limiter, "P999"), at_ms(999)), 1000);
}

// The brute-force sliding window: every granted (time, weight), rescanned. The oracle for the ring.
struct SlidingWindowOracle {
  std::int64_t limit;
  std::int64_t interval_ns;
  std::vector<std::pair<std::int64_t, std::int64_t>> grants;

  std::int64_t used(std::int64_t now_ns) const {
    std::int64_t sum = 0;
    for (const auto& [t, w] : grants) sum += t > now_ns - interval_ns ? w : 0;
    return sum;
  }
  std::int64_t earliest(std::int64_t weight, std::int64_t now_ns) const {
    for (std::int64_t t = now_ns;;) {
      if (used(t) + weight <= limit) return t;
      std::int64_t next = INT64_MAX;  // the next time an entry leaves
      for (const auto& [g, w] : grants) {
        if (g + interval_ns > t) next = std::min(next, g + interval_ns);
      }
      t = next;
    }
  }
};

TEST(RateLimiter, MatchesABruteForceSlidingWindowOnRandomTraffic) {
  std::mt19937_64 random(7);
  for (std::int64_t limit : {1, 7, 50, 600}) {
    RateLimiter limiter = make({{RatePool{"P", limit, 10s, ""}},
                                {RequestKind{"light", {PoolWeight{"P", 1}}},
                                 RequestKind{"heavy", {PoolWeight{"P", std::min<std::int64_t>(limit, 5)}}}}});
    SlidingWindowOracle oracle{limit, Duration(10s).count(), {}};
    std::int64_t now_ns = 0;
    for (int step = 0; step < 3000; ++step) {
      // 0..200 ms apart, a quarter of them at the same time as the previous one.
      if (random() % 4 != 0) now_ns += static_cast<std::int64_t>(random() % 200'000'000);
      const bool heavy = random() % 3 == 0;
      const std::int64_t weight = heavy ? std::min<std::int64_t>(limit, 5) : 1;
      const RateAdmission admission =
          limiter.acquire(kind(limiter, heavy ? "heavy" : "light"), Timestamp::from_ns(now_ns));
      const std::int64_t expected = oracle.earliest(weight, now_ns);
      ASSERT_EQ(admission.granted, expected == now_ns) << "limit " << limit << " step " << step;
      ASSERT_EQ(admission.retry_at.ns(), expected) << "limit " << limit << " step " << step;
      if (admission.granted) oracle.grants.emplace_back(now_ns, weight);
    }
  }
}

TEST(RateLimiter, LargePoolsMergeEntriesButNeverExceedTheLimit) {
  // 100000 per 10 s cannot keep one entry per request: entries merge, holding weight longer.
  const std::int64_t limit = 100'000;
  RateLimiter limiter = make({{RatePool{"P", limit, 10s, ""}}, {RequestKind{"k", {PoolWeight{"P", 1}}}}});
  const RequestKindId k = kind(limiter, "k");
  SlidingWindowOracle oracle{limit, Duration(10s).count(), {}};
  std::int64_t now_ns = 0;
  std::int64_t granted = 0;
  for (int step = 0; step < 400'000; ++step) {
    now_ns += 50'000;  // 20000 per second, twice the limit's pace
    if (limiter.acquire(k, Timestamp::from_ns(now_ns))) {
      ++granted;
      oracle.grants.emplace_back(now_ns, 1);
    }
  }
  // Check every window ending at a grant (a sweep over the sorted grants).
  std::size_t begin = 0;
  for (std::size_t end = 0; end < oracle.grants.size(); ++end) {
    while (oracle.grants[begin].first <= oracle.grants[end].first - oracle.interval_ns) ++begin;
    ASSERT_LE(static_cast<std::int64_t>(end - begin + 1), limit);
  }
  // Conservative, not starved: 20 s of traffic grants close to the 2 x 100000 the windows allow.
  EXPECT_GT(granted, 199'000);
}

// Regression: merging into the newest entry must not keep it alive while traffic continues (it
// once did, and a bot under the daily order limit was refused after hours of steady trading).
TEST(RateLimiter, LargePoolsGrantSteadyTrafficUnderTheLimit) {
  const std::int64_t limit = 100'000;
  RateLimiter limiter = make({{RatePool{"P", limit, 10s, ""}}, {RequestKind{"k", {PoolWeight{"P", 1}}}}});
  const RequestKindId k = kind(limiter, "k");
  // One request per 110 us: 90909 per 10 s, under the limit by more than the merging costs.
  for (std::int64_t now_ns = 0; now_ns < Duration(60s).count(); now_ns += 110'000) {
    ASSERT_TRUE(limiter.acquire(k, Timestamp::from_ns(now_ns))) << now_ns;
  }
  EXPECT_LE(limiter.usage(pool(limiter, "P"), Timestamp::from_ns(Duration(60s).count())), 91'000);
}

TEST(RateLimiter, AcquireDoesNotAllocate) {
  RateLimitConfig config;  // Binance's shape: a weight pool with a usage header, an orders pool
  config.pools = {RatePool{"WEIGHT", 6000, 60s, "X-Used-Weight-1m"}, RatePool{"ORDERS", 50, 10s, ""}};
  config.kinds = {RequestKind{"place", {PoolWeight{"WEIGHT", 1}, PoolWeight{"ORDERS", 1}}},
                  RequestKind{"depth", {PoolWeight{"WEIGHT", 50}}}};
  RateLimiter limiter = make(config);
  const RequestKindId place = kind(limiter, "place");
  const RequestKindId depth = kind(limiter, "depth");
  const std::size_t before = testing::allocations_on_this_thread();
  for (int i = 0; i < 100'000; ++i) {
    (void)limiter.acquire(place, Timestamp::from_ns(i * 1'000'000LL));
    (void)limiter.acquire(depth, Timestamp::from_ns(i * 1'000'000LL));
  }
  limiter.block_until(at_ms(200'000));
  (void)limiter.update_from_header("x-used-weight-1m", "100", at_ms(100'000));
  EXPECT_EQ(testing::allocations_on_this_thread(), before);
}

}  // namespace
}  // namespace colibri::connector
