#include "colibri/data/synthetic_market.h"

#include <charconv>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/data/line_reader.h"
#include "colibri/testing/sample_data.h"

namespace colibri::data {
namespace {

using model::PriceLevel;

// The three statistics the synthetic market is calibrated on (docs/SYNTHETIC_MARKET.md).
struct MarketStatistics {
  double mean_spread = 0;       // quote units, time-weighted over the book after each diff
  double mean_depth_10bps = 0;  // base units within ±0.1 % of mid, both sides, sampled each second
  double trades_per_second = 0;
};

// The sample's figures, measured by the procedure of BookStatistics below on
// binance/spot/btcusdt_20240808.gz + btcusdt_20240809.gz (651 s, 19,904 trades). Used when the
// sample data is absent; SyntheticMarket.SampleStatisticsAreTheDocumentedOnes keeps them honest.
constexpr MarketStatistics kSampleStatistics{0.0262, 89.9, 30.6};
constexpr double kTolerance = 0.25;  // the synthetic market must be within ±25 % of the sample

// Rebuilds a book from snapshots and diffs and accumulates MarketStatistics. The caller applies
// the sequence rules; this only applies what it is given.
class BookStatistics {
 public:
  void reset(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks, Timestamp local_time) {
    bids_.clear();
    asks_.clear();
    apply(bids, asks);
    last_book_time_ = local_time;
    if (first_time_.is_none()) first_time_ = local_time;
    next_depth_sample_ = Timestamp::from_ns((local_time.ns() / 1'000'000'000 + 1) * 1'000'000'000);
  }

  void diff(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks, Timestamp local_time) {
    if (last_book_time_.is_none()) return;      // not in sync yet
    while (local_time >= next_depth_sample_) {  // the book as it stood at the whole second
      depth_sum_ += depth_within(0.001);
      ++depth_samples_;
      next_depth_sample_ += std::chrono::seconds(1);
    }
    const double held = (local_time - last_book_time_).count() * 1e-9;
    spread_time_sum_ += spread() * held;
    spread_time_ += held;
    apply(bids, asks);
    last_book_time_ = local_time;
    last_time_ = local_time;
    ASSERT_FALSE(bids_.empty() || asks_.empty()) << "a side is empty at " << local_time.to_iso8601();
    EXPECT_LT(bids_.begin()->first, asks_.begin()->first) << "crossed at " << local_time.to_iso8601();
  }

  void trade(Timestamp local_time) {
    if (first_time_.is_none()) return;
    ++trades_;
    last_time_ = std::max(last_time_, local_time);
  }

  [[nodiscard]] MarketStatistics result() const {
    return {spread_time_sum_ / spread_time_, depth_sum_ / static_cast<double>(depth_samples_),
            static_cast<double>(trades_) / ((last_time_ - first_time_).count() * 1e-9)};
  }

 private:
  void apply(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks) {
    for (const auto& level : bids) set(bids_, level);
    for (const auto& level : asks) set(asks_, level);
  }
  template <typename Book>
  static void set(Book& book, const PriceLevel& level) {
    if (level.quantity.is_zero()) {
      book.erase(level.price);
    } else {
      book[level.price] = level.quantity;
    }
  }
  double spread() const { return (asks_.begin()->first - bids_.begin()->first).to_double(); }
  double depth_within(double fraction) const {
    const double mid = (bids_.begin()->first.to_double() + asks_.begin()->first.to_double()) / 2;
    double depth = 0;
    for (const auto& [price, quantity] : bids_) {
      if (price.to_double() < mid * (1 - fraction)) break;
      depth += quantity.to_double();
    }
    for (const auto& [price, quantity] : asks_) {
      if (price.to_double() > mid * (1 + fraction)) break;
      depth += quantity.to_double();
    }
    return depth;
  }

  std::map<Price, Quantity, std::greater<>> bids_;
  std::map<Price, Quantity> asks_;
  Timestamp first_time_ = Timestamp::none();
  Timestamp last_time_ = Timestamp::none();
  Timestamp last_book_time_ = Timestamp::none();
  Timestamp next_depth_sample_ = Timestamp::none();
  double spread_time_sum_ = 0;
  double spread_time_ = 0;
  double depth_sum_ = 0;
  std::int64_t depth_samples_ = 0;
  std::int64_t trades_ = 0;
};

// Checks every property the header promises while measuring the statistics.
class CheckingSink : public MarketEventSink {
 public:
  explicit CheckingSink(const SyntheticMarketConfig& config) : config_(config) {}

  void on_snapshot(const model::BookSnapshot& s) override {
    EXPECT_EQ(events_, 0) << "the snapshot comes first";
    EXPECT_EQ(s.last_update_id, config_.snapshot_update_id);
    last_update_id_ = s.last_update_id;
    check_levels(s.bids, s.asks, false);
    check_clocks(s.exchange_time, s.local_time);
    stats_.reset(s.bids, s.asks, s.local_time);
    ++events_;
  }
  void on_diff(const model::BookDiff& d) override {
    EXPECT_EQ(d.first_update_id, last_update_id_ + 1);
    EXPECT_GE(d.last_update_id, d.first_update_id);
    EXPECT_EQ(d.prev_last_update_id, model::kNoUpdateId);
    EXPECT_EQ((d.exchange_time - config_.start_time).count() % config_.depth_interval.count(), 0);
    last_update_id_ = d.last_update_id;
    check_levels(d.bids, d.asks, true);
    check_clocks(d.exchange_time, d.local_time);
    stats_.diff(d.bids, d.asks, d.local_time);
    ++diffs_;
    ++events_;
  }
  void on_trade(const model::PublicTrade& t) override {
    EXPECT_GT(t.trade_id, last_trade_id_);
    last_trade_id_ = t.trade_id;
    EXPECT_TRUE(t.price.is_multiple_of(config_.tick_size));
    EXPECT_TRUE(t.quantity.is_multiple_of(config_.lot_size) && t.quantity.is_positive());
    check_clocks(t.exchange_time, t.local_time);
    stats_.trade(t.local_time);
    ++events_;
  }
  void on_ticker(const model::BookTicker& t) override {
    EXPECT_EQ(t.update_id, last_update_id_);
    EXPECT_LT(t.best_bid.price, t.best_ask.price);
    check_clocks(t.exchange_time, t.local_time);
    ++events_;
  }

  [[nodiscard]] MarketStatistics statistics() const { return stats_.result(); }
  [[nodiscard]] std::int64_t diffs() const { return diffs_; }

 private:
  void check_levels(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks, bool zero_allowed) {
    for (auto side : {bids, asks}) {
      for (std::size_t i = 0; i < side.size(); ++i) {
        EXPECT_TRUE(side[i].price.is_multiple_of(config_.tick_size)) << side[i].price.to_string();
        EXPECT_TRUE(side[i].quantity.is_multiple_of(config_.lot_size) || side[i].quantity.is_zero());
        EXPECT_TRUE(zero_allowed || side[i].quantity.is_positive());
      }
    }
    for (std::size_t i = 1; i < bids.size(); ++i) EXPECT_GT(bids[i - 1].price, bids[i].price);
    for (std::size_t i = 1; i < asks.size(); ++i) EXPECT_LT(asks[i - 1].price, asks[i].price);
  }
  void check_clocks(Timestamp exchange, Timestamp local) {
    EXPECT_GE(exchange, last_exchange_);
    EXPECT_GE(local, last_local_);
    EXPECT_GE(local - exchange, config_.min_feed_latency);
    last_exchange_ = exchange;
    last_local_ = local;
  }

  const SyntheticMarketConfig& config_;
  BookStatistics stats_;
  model::UpdateId last_update_id_ = model::kNoUpdateId;
  std::int64_t last_trade_id_ = 0;
  std::int64_t events_ = 0;
  std::int64_t diffs_ = 0;
  Timestamp last_exchange_;
  Timestamp last_local_;
};

// --- a minimal reader of the recorded Binance sample: only what the statistics need. The real
// parser lives in venue/binance; this keeps the test independent of it.

std::string_view number_after(std::string_view json, std::string_view key) {
  const std::size_t at = json.find(key);
  if (at == std::string_view::npos) return {};
  std::string_view rest = json.substr(at + key.size());
  return rest.substr(0, rest.find_first_of(",}"));
}

std::int64_t integer_after(std::string_view json, std::string_view key) {
  const std::string_view text = number_after(json, key);
  std::int64_t value = -1;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Parses `key`[["price","qty"],...] into `out`.
void levels_after(std::string_view json, std::string_view key, std::vector<PriceLevel>& out) {
  out.clear();
  std::size_t at = json.find(key);
  ASSERT_NE(at, std::string_view::npos) << key;
  at += key.size();
  while (json[at] == '[' || json[at] == ',') {
    if (json[at] == ',') ++at;
    if (json.substr(at, 2) != "[\"") break;
    const std::size_t price_end = json.find('"', at + 2);
    const std::size_t quantity_start = price_end + 3;  // ","
    const std::size_t quantity_end = json.find('"', quantity_start);
    out.push_back({Price::parse(json.substr(at + 2, price_end - at - 2)).value(),
                   Quantity::parse(json.substr(quantity_start, quantity_end - quantity_start)).value()});
    at = quantity_end + 2;  // past "]
  }
}

struct BufferedDiff {
  std::int64_t first_id;
  std::int64_t last_id;
  Timestamp local_time;
  std::vector<PriceLevel> bids;
  std::vector<PriceLevel> asks;
};

// Rebuilds the sample's book the way Binance documents (buffer diffs, apply the snapshot, drop
// diffs with u <= lastUpdateId, then require continuity) and measures it.
MarketStatistics measure_binance_spot_sample(const std::vector<std::filesystem::path>& files) {
  BookStatistics stats;
  std::vector<BufferedDiff> buffered;
  std::int64_t last_id = -1;
  BufferedDiff diff;
  std::int64_t gaps = 0;
  for (const auto& file : files) {
    auto source = LineReader::open(file);
    EXPECT_TRUE(source.has_value());
    if (!source) return {};
    std::string_view line;
    while (source->next_line(line).value()) {
      const std::size_t space = line.find(' ');
      std::int64_t local_ns = 0;
      std::from_chars(line.data(), line.data() + space, local_ns);
      const Timestamp local_time = Timestamp::from_ns(local_ns);
      const std::string_view json = line.substr(space + 1);
      if (json.find("\"lastUpdateId\":") != std::string_view::npos) {
        std::vector<PriceLevel> bids;
        std::vector<PriceLevel> asks;
        levels_after(json, "\"bids\":[", bids);
        levels_after(json, "\"asks\":[", asks);
        last_id = integer_after(json, "\"lastUpdateId\":");
        stats.reset(bids, asks, local_time);
        for (const auto& d : buffered) {
          if (d.last_id <= last_id) continue;
          stats.diff(d.bids, d.asks, local_time);
          last_id = d.last_id;
        }
        buffered.clear();
      } else if (json.find("@depth") != std::string_view::npos) {
        diff.first_id = integer_after(json, "\"U\":");
        diff.last_id = integer_after(json, "\"u\":");
        diff.local_time = local_time;
        levels_after(json, "\"b\":[", diff.bids);
        levels_after(json, "\"a\":[", diff.asks);
        if (last_id < 0) {
          buffered.push_back(diff);
        } else if (diff.last_id > last_id) {
          if (diff.first_id != last_id + 1) ++gaps;
          stats.diff(diff.bids, diff.asks, local_time);
          last_id = diff.last_id;
        }
      } else if (json.find("@trade") != std::string_view::npos) {
        stats.trade(local_time);
      }
    }
  }
  EXPECT_EQ(gaps, 0);
  return stats.result();
}

MarketStatistics sample_statistics() {
  const auto day1 = testing::sample_file("binance/spot/btcusdt_20240808.gz");
  const auto day2 = testing::sample_file("binance/spot/btcusdt_20240809.gz");
  if (!day1 || !day2) return kSampleStatistics;
  return measure_binance_spot_sample({*day1, *day2});
}

void print(const char* what, const MarketStatistics& s) {
  std::printf("%s: mean spread %.4f, mean depth within 10 bps %.2f, trades per second %.2f\n", what,
              s.mean_spread, s.mean_depth_10bps, s.trades_per_second);
}

TEST(SyntheticMarket, SampleStatisticsAreTheDocumentedOnes) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(day1, "binance/spot/btcusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(day2, "binance/spot/btcusdt_20240809.gz");
  const MarketStatistics sample = measure_binance_spot_sample({day1, day2});
  print("sample", sample);
  EXPECT_NEAR(sample.mean_spread, kSampleStatistics.mean_spread, 0.01 * kSampleStatistics.mean_spread);
  EXPECT_NEAR(sample.mean_depth_10bps, kSampleStatistics.mean_depth_10bps,
              0.01 * kSampleStatistics.mean_depth_10bps);
  EXPECT_NEAR(sample.trades_per_second, kSampleStatistics.trades_per_second,
              0.01 * kSampleStatistics.trades_per_second);
}

TEST(SyntheticMarket, MatchesSampleStatistics) {
  SyntheticMarketConfig config;
  config.seconds = 600;
  config.seed = 20240809;
  CheckingSink sink(config);
  auto stats = generate(config, sink);
  ASSERT_TRUE(stats.has_value()) << stats.error().describe();
  const MarketStatistics synthetic = sink.statistics();
  const MarketStatistics sample = sample_statistics();
  print("synthetic", synthetic);
  print("target", sample);
  EXPECT_NEAR(synthetic.mean_spread, sample.mean_spread, kTolerance * sample.mean_spread);
  EXPECT_NEAR(synthetic.mean_depth_10bps, sample.mean_depth_10bps, kTolerance * sample.mean_depth_10bps);
  EXPECT_NEAR(synthetic.trades_per_second, sample.trades_per_second, kTolerance * sample.trades_per_second);
}

}  // namespace
}  // namespace colibri::data

namespace colibri::data {
namespace {

// Folds every field of every event into one 64-bit FNV-1a digest.
class DigestSink : public MarketEventSink {
 public:
  void on_snapshot(const model::BookSnapshot& s) override {
    mix(1, s.last_update_id, s.exchange_time.ns(), s.local_time.ns());
    levels(s.bids, s.asks);
  }
  void on_diff(const model::BookDiff& d) override {
    mix(2, d.first_update_id, d.last_update_id, d.exchange_time.ns(), d.local_time.ns());
    levels(d.bids, d.asks);
  }
  void on_trade(const model::PublicTrade& t) override {
    mix(3, t.price.raw(), t.quantity.raw(), static_cast<std::int64_t>(t.aggressor), t.trade_id,
        t.exchange_time.ns(), t.local_time.ns());
  }
  void on_ticker(const model::BookTicker& t) override {
    mix(4, t.update_id, t.best_bid.price.raw(), t.best_bid.quantity.raw(), t.best_ask.price.raw(),
        t.best_ask.quantity.raw(), t.local_time.ns());
  }
  [[nodiscard]] std::uint64_t digest() const { return digest_; }
  [[nodiscard]] std::int64_t events() const { return events_; }

 private:
  void levels(std::span<const PriceLevel> bids, std::span<const PriceLevel> asks) {
    mix(static_cast<std::int64_t>(bids.size()), static_cast<std::int64_t>(asks.size()));
    for (auto side : {bids, asks}) {
      for (const auto& level : side) mix(level.price.raw(), level.quantity.raw());
    }
  }
  template <typename... Values>
  void mix(Values... values) {
    ++events_;
    for (std::int64_t value : {static_cast<std::int64_t>(values)...}) {
      for (int byte = 0; byte < 8; ++byte) {
        digest_ = (digest_ ^ ((static_cast<std::uint64_t>(value) >> (8 * byte)) & 0xff)) * 0x100000001b3ULL;
      }
    }
  }
  std::uint64_t digest_ = 0xcbf29ce484222325ULL;
  std::int64_t events_ = 0;
};

std::uint64_t digest_of(const SyntheticMarketConfig& config) {
  DigestSink sink;
  EXPECT_TRUE(generate(config, sink).has_value());
  EXPECT_GT(sink.events(), 1000);
  return sink.digest();
}

TEST(SyntheticMarket, SameSeedGivesTheSameEventsAndAnotherSeedDoesNot) {
  SyntheticMarketConfig config;
  config.seconds = 30;
  config.seed = 7;
  const std::uint64_t first = digest_of(config);
  EXPECT_EQ(digest_of(config), first);
  config.seed = 8;
  EXPECT_NE(digest_of(config), first);
}

TEST(SyntheticMarket, TickersDoNotChangeTheMarket) {
  // A ticker shares its diff's clocks and draws no random number: turning tickers off leaves
  // every other event as it was.
  SyntheticMarketConfig config;
  config.seconds = 20;
  struct NoTickers : DigestSink {
    void on_ticker(const model::BookTicker&) override {}
  };
  NoTickers with;
  ASSERT_TRUE(generate(config, with).has_value());
  config.emit_book_ticker = false;
  DigestSink without;
  ASSERT_TRUE(generate(config, without).has_value());
  EXPECT_EQ(with.digest(), without.digest());
}

TEST(SyntheticMarket, KeepsItsPromisesOnAnotherInstrument) {
  // ETHUSDT-like: different tick, lot and price; CheckingSink checks ticks, lots, ids, clocks,
  // ordering and that the rebuilt book never crosses.
  SyntheticMarketConfig config;
  config.symbol = "ETHUSDT";
  config.seconds = 120;
  config.seed = 99;
  config.tick_size = Price::parse("0.05").value();
  config.lot_size = Quantity::parse("0.0001").value();
  config.initial_price = Price::parse("2600.35").value();
  config.depth_interval = std::chrono::milliseconds(250);
  CheckingSink sink(config);
  auto stats = generate(config, sink);
  ASSERT_TRUE(stats.has_value()) << stats.error().describe();
  EXPECT_EQ(stats->snapshots, 1);
  EXPECT_EQ(stats->diffs, sink.diffs());
  EXPECT_GT(stats->diffs, 400);  // of 480 intervals, nearly all change something
  EXPECT_GT(stats->trades, 1000);
  EXPECT_EQ(stats->last_update_id, config.snapshot_update_id + stats->level_updates);
}

TEST(SyntheticMarket, MemoryDoesNotGrowWithTheLengthOfTheRun) {
  SyntheticMarketConfig config;
  config.seed = 5;
  config.seconds = 120;
  DigestSink short_sink;
  const auto short_run = generate(config, short_sink).value();
  config.seconds = 1800;
  DigestSink long_sink;
  const auto long_run = generate(config, long_sink).value();
  EXPECT_GT(long_run.trades, 10 * short_run.trades);
  // Fifteen times the events; the resting orders and levels stay where the warm-up left them.
  EXPECT_LT(long_run.peak_resting_orders, short_run.peak_resting_orders * 5 / 4);
  EXPECT_LT(long_run.peak_book_levels, short_run.peak_book_levels * 5 / 4);
  EXPECT_LT(long_run.peak_diff_levels, 1000U);
}

TEST(SyntheticMarket, RejectsInvalidConfig) {
  DigestSink sink;
  SyntheticMarketConfig config;
  config.initial_price = Price::parse("60000.005").value();
  auto off_tick = generate(config, sink);
  ASSERT_FALSE(off_tick.has_value());
  EXPECT_EQ(off_tick.error().code(), ErrorCode::InvalidArgument);
  EXPECT_NE(off_tick.error().message().find("initial_price"), std::string::npos);
  config = {};
  config.lot_size = Quantity::zero();
  EXPECT_FALSE(generate(config, sink).has_value());
  config = {};
  config.market_order_rate = -1;
  EXPECT_FALSE(generate(config, sink).has_value());
  EXPECT_EQ(sink.events(), 0);
}

}  // namespace
}  // namespace colibri::data
