#pragma once
// A seeded, deterministic synthetic L2 market: what the demo and the benchmarks run on when no
// recorded data is at hand. The model, its parameters and its calibration against the recorded
// Binance spot BTCUSDT sample are described in docs/SYNTHETIC_MARKET.md.
//
// generate() streams, in exchange-time order:
//   1. one model::BookSnapshot at start_time with last_update_id = snapshot_update_id (the book
//      after a warm-up period, so that the statistics are stationary from the first event);
//   2. every depth_interval, a model::BookDiff with every level that changed in the interval
//      (final quantity; 0 removes), bids best first then asks best first, and Binance spot ids:
//      first_update_id = previous last_update_id + 1, last_update_id = first_update_id + number
//      of level updates in the interval - 1, prev_last_update_id = kNoUpdateId. An interval with
//      no change sends nothing, as Binance does. Replayed through Binance's spot sequence rules
//      the stream has no gap;
//   3. model::PublicTrades at their own times (before the diff of their interval, which holds
//      their effect on the book), aggressor set, trade ids increasing from first_trade_id;
//   4. optionally, after each diff, a model::BookTicker of the book's best levels with
//      update_id = the diff's last_update_id.
// Every event has both clocks: exchange time (ms resolution, as Binance) and local time =
// exchange time + a seeded feed latency, made non-decreasing across events (a ticker has its
// diff's clocks, so emit_book_ticker changes nothing else in the stream).
//
// Guarantees: the same config (seed included) gives the same event sequence, bit for bit, on any
// platform with IEEE doubles and a correctly rounded libm log/sqrt/cos (the random numbers come
// from a self-contained xoshiro256** generator, not <random>'s unspecified distributions); the
// book is never crossed or locked; every price is a multiple of tick_size and every quantity a
// multiple of lot_size. Memory does not grow with the run length: it is bounded by the number
// of resting orders (about limit_order_rate x order_lifetime) and of book levels; nothing of
// the past run is kept. The views inside each event are valid only during the sink call.
//
// Not thread-safe; generate() is reentrant (all state is local to the call).

#include <cstdint>
#include <filesystem>
#include <string>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/data/market_event_sink.h"
#include "colibri/model/market_data.h"

namespace colibri::data {

struct SyntheticMarketConfig {
  // --- market and stream
  std::string symbol = "BTCUSDT";
  std::int64_t seconds = 60;  // length of the emitted run
  std::uint64_t seed = 1;
  Timestamp start_time = Timestamp::from_ms(1'723'161'600'000);  // 2024-08-09T00:00:00Z
  Price tick_size = Price::from_raw(1'000'000);                  // 0.01
  Quantity lot_size = Quantity::from_raw(1'000);                 // 0.00001
  Price initial_price = Price::from_int(60'000);
  Duration depth_interval = std::chrono::milliseconds(100);  // Binance depth@100ms
  bool emit_book_ticker = true;
  model::UpdateId snapshot_update_id = 1'000'000'000;
  std::int64_t first_trade_id = 1;
  Duration warmup = std::chrono::seconds(60);  // simulated before start_time, not emitted
  Duration min_feed_latency = std::chrono::milliseconds(2);
  Duration mean_feed_jitter = std::chrono::milliseconds(3);  // exponential, added to the minimum

  // --- fair price: a pure-jump random walk (the mid moves in discrete steps, as on Binance)
  double fair_jump_rate = 5.0;       // jumps per second
  double fair_jump_mean_bps = 0.35;  // exponential jump size, random sign

  // --- liquidity providers
  double limit_order_rate = 220.0;  // limit orders per second, both sides together
  double placement_mean_bps = 8.0;  // exponential distance behind the touch
  double max_distance_bps = 30.0;   // no order is placed further than this behind the touch
  double limit_size_median = 0.03;  // lognormal order size, base units
  double limit_size_sigma = 1.8;
  double order_lifetime_seconds = 4.0;  // exponential; an order is cancelled when it expires
  double requote_delay_ms = 25.0;       // exponential reaction of makers to a gap at the touch
  double touch_size_median = 1.0;       // lognormal size of those touch quotes
  double touch_size_sigma = 1.0;

  // --- liquidity takers
  double market_order_rate = 29.5;     // market orders per second, buy or sell at even odds
  double market_size_median = 0.0007;  // lognormal, base units
  double market_size_sigma = 2.6;
  double max_market_size = 5.0;
};

// What generate() produced, and the peak internal sizes (for the bounded-memory promise).
struct SyntheticMarketStats {
  std::int64_t snapshots = 0;
  std::int64_t diffs = 0;
  std::int64_t trades = 0;
  std::int64_t tickers = 0;
  std::int64_t level_updates = 0;  // sum over diffs of (last_update_id - first_update_id + 1)
  model::UpdateId last_update_id = model::kNoUpdateId;
  std::size_t peak_resting_orders = 0;
  std::size_t peak_book_levels = 0;
  std::size_t peak_diff_levels = 0;
};

// Checks the config: positive tick, lot, price, interval and seconds, non-negative rates,
// sizes and latencies, initial_price a multiple of tick_size. InvalidArgument naming the field.
[[nodiscard]] Result<void> validate(const SyntheticMarketConfig& config);

// Generates the market described by `config` into `sink` (see the top of this file). Returns
// what was emitted, or validate()'s error before emitting anything.
[[nodiscard]] Result<SyntheticMarketStats> generate(const SyntheticMarketConfig& config,
                                                    MarketEventSink& sink);

// Generates the market into a new binary event log at `path` (Binance spot update ids; written to
// `path`.partial and renamed when complete, so a failure leaves no file). `events` is set to the
// log's event count when given.
[[nodiscard]] Result<SyntheticMarketStats> write_synthetic_log(const SyntheticMarketConfig& config,
                                                               const std::filesystem::path& path,
                                                               std::uint64_t* events = nullptr);

}  // namespace colibri::data
