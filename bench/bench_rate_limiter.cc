// RateLimiter::acquire: nanoseconds per request as the window's history and the number of pools
// grow (DESIGN.md wants O(1)/O(log n) per request; Hummingbot's throttler rescans its task log).
//
//   BM_AcquireGranted/N       steady traffic keeping N requests in the window: every acquire expires
//                             one entry and records one (the path of every request sent)
//   BM_AcquireRefused/N       a full window of N entries: every acquire is refused and binary-searches
//                             the earliest grant time (the path of a throttled burst)
//   BM_RescanBaseline/N       the same granted traffic through a log rescanned per request, as
//                             Hummingbot's AsyncThrottler does: the cost colibri avoids
//   BM_BinancePlaceOrder      the Binance spot preset, an order linked to its four pools
//   BM_ManyPools/P            P pools and P kinds (each linked to its own pool and a shared one),
//                             requests round-robin over the kinds

#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "colibri/connector/binance/rate_limits.h"
#include "colibri/connector/rate_limiter.h"

namespace colibri::connector {
namespace {

constexpr std::int64_t kStepNs = 1'000'000;  // one request per ms

RateLimiter single_pool(std::int64_t limit, Duration interval) {
  return RateLimiter::create({{RatePool{"P", limit, interval, ""}}, {RequestKind{"k", {PoolWeight{"P", 1}}}}})
      .value();
}

void BM_AcquireGranted(benchmark::State& state) {
  const std::int64_t history = state.range(0);
  // A window of `history` steps: after warm-up it always holds history - 1 entries plus the new one.
  RateLimiter limiter = single_pool(history + 1, Duration(history * kStepNs));
  const RequestKindId kind = limiter.find_kind("k").value();
  std::int64_t now_ns = 0;
  for (std::int64_t i = 0; i < 2 * history; ++i)
    (void)limiter.acquire(kind, Timestamp::from_ns(now_ns += kStepNs));
  std::int64_t refused = 0;
  for (auto _ : state) {
    const RateAdmission admission = limiter.acquire(kind, Timestamp::from_ns(now_ns += kStepNs));
    refused += admission.granted ? 0 : 1;
    benchmark::DoNotOptimize(admission);
  }
  if (refused != 0) state.SkipWithError("steady traffic was refused");
  state.counters["in_window"] =
      static_cast<double>(limiter.usage(limiter.find_pool("P").value(), Timestamp::from_ns(now_ns)));
}
BENCHMARK(BM_AcquireGranted)->Arg(10)->Arg(1000)->Arg(4000);

void BM_AcquireRefused(benchmark::State& state) {
  const std::int64_t history = state.range(0);
  RateLimiter limiter = single_pool(history, Duration(10 * history * kStepNs));
  const RequestKindId kind = limiter.find_kind("k").value();
  std::int64_t now_ns = 0;
  for (std::int64_t i = 0; i < history; ++i)
    (void)limiter.acquire(kind, Timestamp::from_ns(now_ns += kStepNs));
  std::int64_t granted = 0;
  for (auto _ : state) {
    const RateAdmission admission = limiter.acquire(kind, Timestamp::from_ns(now_ns));
    granted += admission.granted ? 1 : 0;
    benchmark::DoNotOptimize(admission);
  }
  if (granted != 0) state.SkipWithError("a full window granted a request");
}
BENCHMARK(BM_AcquireRefused)->Arg(10)->Arg(1000)->Arg(4000);

// The log-rescan throttler: every request sums the log inside the window, then appends.
void BM_RescanBaseline(benchmark::State& state) {
  const std::int64_t history = state.range(0);
  const std::int64_t interval_ns = history * kStepNs;
  std::vector<std::int64_t> log;
  std::int64_t now_ns = 0;
  for (auto _ : state) {
    now_ns += kStepNs;
    std::int64_t used = 0;
    for (const std::int64_t t : log) used += t > now_ns - interval_ns ? 1 : 0;
    if (used + 1 <= history + 1) log.push_back(now_ns);
    if (log.size() > static_cast<std::size_t>(4 * history)) log.erase(log.begin(), log.begin() + 2 * history);
    benchmark::DoNotOptimize(used);
  }
}
BENCHMARK(BM_RescanBaseline)->Arg(10)->Arg(1000)->Arg(4000);

void BM_BinancePlaceOrder(benchmark::State& state) {
  RateLimiter limiter = RateLimiter::create(binance_spot::rate_limits()).value();
  const RequestKindId place = limiter.find_kind(binance_spot::kPlaceOrder).value();
  // One order per second: under ORDERS 50 / 10 s and 160000 / day (86400 a day), so all granted; the
  // daily and 5-minute pools merge entries (coarse rings), the others keep one entry per order.
  std::int64_t now_ns = 0;
  std::int64_t granted = 0;
  for (auto _ : state) {
    const RateAdmission admission = limiter.acquire(place, Timestamp::from_ns(now_ns += 1000 * kStepNs));
    granted += admission.granted ? 1 : 0;
    benchmark::DoNotOptimize(admission);
  }
  state.counters["granted_share"] = static_cast<double>(granted) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_BinancePlaceOrder);

void BM_ManyPools(benchmark::State& state) {
  const auto pools = static_cast<int>(state.range(0));
  // One request per microsecond over all kinds: at most 100 per kind and 1000 in all per
  // millisecond, under every limit, so every request is granted and expires one old entry.
  RateLimitConfig config;
  config.pools.push_back(RatePool{"SHARED", 2000, std::chrono::milliseconds(1), ""});
  for (int i = 0; i < pools; ++i) {
    config.pools.push_back(RatePool{fmt::format("P{}", i), 200, std::chrono::milliseconds(1), ""});
    config.kinds.push_back(
        RequestKind{fmt::format("K{}", i), {PoolWeight{fmt::format("P{}", i), 1}, PoolWeight{"SHARED", 1}}});
  }
  RateLimiter limiter = RateLimiter::create(config).value();
  std::vector<RequestKindId> kinds;
  for (int i = 0; i < pools; ++i) kinds.push_back(limiter.find_kind(fmt::format("K{}", i)).value());
  std::int64_t now_ns = 0;
  std::size_t next = 0;
  std::int64_t refused = 0;
  for (auto _ : state) {
    const RateAdmission admission = limiter.acquire(kinds[next], Timestamp::from_ns(now_ns += 1000));
    refused += admission.granted ? 0 : 1;
    next = next + 1 == kinds.size() ? 0 : next + 1;
    benchmark::DoNotOptimize(admission);
  }
  if (refused != 0) state.SkipWithError("traffic under the limits was refused");
}
BENCHMARK(BM_ManyPools)->Arg(10)->Arg(1000);

}  // namespace
}  // namespace colibri::connector

BENCHMARK_MAIN();
