#include "colibri/connector/binance/rate_limits.h"

#include <string_view>

#include <gtest/gtest.h>

#include "colibri/venue/binance/requests.h"

namespace colibri::connector {
namespace {

Timestamp at_ms(std::int64_t ms) { return Timestamp::from_ms(ms); }
RequestKindId kind(const RateLimiter& limiter, std::string_view id) { return limiter.find_kind(id).value(); }
RatePoolId pool(const RateLimiter& limiter, std::string_view id) { return limiter.find_pool(id).value(); }

TEST(BinanceSpotRateLimits, AllowFiftyOrdersPerTenSeconds) {
  RateLimiter limiter = RateLimiter::create(binance_spot::rate_limits()).value();
  const RequestKindId place = kind(limiter, binance_spot::kPlaceOrder);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.acquire(place, at_ms(1000 + i * 10))) << i;
  const RateAdmission refused = limiter.acquire(place, at_ms(2000));
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.retry_at, at_ms(11'000));
  EXPECT_EQ(limiter.usage(pool(limiter, binance_spot::kRequestWeight), at_ms(2000)), 50);
  EXPECT_EQ(limiter.usage(pool(limiter, binance_spot::kOrders1d), at_ms(2000)), 50);
  EXPECT_EQ(limiter.usage(pool(limiter, binance_spot::kRawRequests), at_ms(2000)), 50);

  // Cancels are not orders: still granted.
  EXPECT_TRUE(limiter.acquire(kind(limiter, binance_spot::kCancelOrder), at_ms(2000)));
  // The venue says 5990 weight used this minute: a 20-weight account query must wait.
  EXPECT_EQ(limiter.update_from_header("X-MBX-USED-WEIGHT-1M", "5990", at_ms(2000)), RateHeader::Applied);
  EXPECT_FALSE(limiter.acquire(kind(limiter, binance_spot::kAccount), at_ms(2000)));
  EXPECT_TRUE(limiter.acquire(kind(limiter, binance_spot::kPing), at_ms(2000)));
  EXPECT_EQ(limiter.limit(pool(limiter, binance_spot::kOrders10s)), 50);
}

// The pools' usage headers are the names the venue layer reads and the simulator writes.
TEST(BinanceSpotRateLimits, PoolsReadBinancesUsageHeaders) {
  RateLimiter limiter = RateLimiter::create(binance_spot::rate_limits()).value();
  EXPECT_EQ(limiter.update_from_header(venue::binance::kUsedWeight1mHeader, "7", at_ms(0)), RateHeader::Applied);
  EXPECT_EQ(limiter.update_from_header(venue::binance::kOrderCount10sHeader, "3", at_ms(0)), RateHeader::Applied);
  EXPECT_EQ(limiter.update_from_header(venue::binance::kOrderCount1dHeader, "4", at_ms(0)), RateHeader::Applied);
  EXPECT_EQ(limiter.usage(pool(limiter, binance_spot::kRequestWeight), at_ms(0)), 7);
  EXPECT_EQ(limiter.usage(pool(limiter, binance_spot::kOrders10s), at_ms(0)), 3);
  EXPECT_EQ(limiter.usage(pool(limiter, binance_spot::kOrders1d), at_ms(0)), 4);
}

}  // namespace
}  // namespace colibri::connector
