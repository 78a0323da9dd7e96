// L2 level updates: colibri's OrderBook against a std::map book, on a synthetic random walk and on
// the real diffs of the spot and USD-M BTCUSDT samples (DESIGN.md budget: <= 10 ns per update).

#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "colibri/data/market_file.h"
#include "colibri/model/order_book.h"

namespace colibri::bench {
namespace {

struct SidedLevel {
  model::BookSide side;
  model::PriceLevel level;
};

// A random walk of the touch with updates concentrated near it (90 % within 50 ticks), a third of
// them removals: the shape of a depth stream.
const std::vector<SidedLevel>& random_walk_updates() {
  static const std::vector<SidedLevel> updates = [] {
    std::vector<SidedLevel> out;
    std::mt19937_64 rng(7);
    std::int64_t mid = 6'000'000;  // ticks of 0.01
    for (int i = 0; i < 1'000'000; ++i) {
      if (i % 100 == 0) mid += static_cast<std::int64_t>(rng() % 21) - 10;
      const bool bid = (rng() & 1) != 0;
      const auto distance = static_cast<std::int64_t>(rng() % 100 < 90 ? rng() % 50 : rng() % 3000);
      const std::int64_t tick = bid ? mid - 1 - distance : mid + distance;
      const std::int64_t qty = rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng() % 100'000 + 1);
      out.push_back({bid ? model::BookSide::Bid : model::BookSide::Ask,
                     {Price::from_raw(tick * 1'000'000), Quantity::from_raw(qty)}});
    }
    return out;
  }();
  return updates;
}

// Every level of every message (snapshot and diffs) of a recording, in order.
class LevelCollector final : public data::MarketEventSink {
 public:
  std::vector<SidedLevel> levels;
  void on_snapshot(const model::BookSnapshot& s) override { add(s.bids, s.asks); }
  void on_diff(const model::BookDiff& d) override { add(d.bids, d.asks); }
  void on_trade(const model::PublicTrade&) override {}

 private:
  void add(std::span<const model::PriceLevel> bids, std::span<const model::PriceLevel> asks) {
    for (const auto& l : bids) levels.push_back({model::BookSide::Bid, l});
    for (const auto& l : asks) levels.push_back({model::BookSide::Ask, l});
  }
};

const std::vector<SidedLevel>* real_updates(const std::string& relative) {
  static std::map<std::string, std::vector<SidedLevel>> cache;
  auto it = cache.find(relative);
  if (it != cache.end()) return &it->second;
  const auto path = sample_file(relative);
  if (!path) return nullptr;
  LevelCollector collector;
  data::MarketReplayStats stats;
  const std::vector<std::filesystem::path> files = {*path};
  if (!data::replay_market_files(files, collector, stats)) return nullptr;
  return &cache.emplace(relative, std::move(collector.levels)).first->second;
}

void run_ladder(benchmark::State& state, const std::vector<SidedLevel>& updates) {
  model::OrderBook book(Price::zero());
  std::size_t i = 0;
  for (auto _ : state) {
    const SidedLevel& u = updates[i];
    benchmark::DoNotOptimize(book.apply_level(u.side, u.level));
    if (++i == updates.size()) i = 0;
  }
  benchmark::DoNotOptimize(book.best_bid());
  state.SetItemsProcessed(state.iterations());
}

void run_map(benchmark::State& state, const std::vector<SidedLevel>& updates) {
  MapBook book;
  std::size_t i = 0;
  for (auto _ : state) {
    const SidedLevel& u = updates[i];
    book.apply(u.side, u.level);
    benchmark::DoNotOptimize(book.best_bid());
    if (++i == updates.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LevelUpdate_RandomWalk_Ladder(benchmark::State& state) { run_ladder(state, random_walk_updates()); }

// The same walk in windows of 16,384 updates (384 KiB) replayed many times: the updates themselves
// stay in cache, as a just-parsed diff's levels do in the product path, so the figure is the
// book's cost rather than the benchmark streaming its input from memory.
const std::vector<SidedLevel>& random_walk_window() {
  static const std::vector<SidedLevel> window(random_walk_updates().begin(), random_walk_updates().begin() + 16'384);
  return window;
}
void BM_LevelUpdate_RandomWalkInCache_Ladder(benchmark::State& state) { run_ladder(state, random_walk_window()); }
void BM_LevelUpdate_RandomWalkInCache_StdMap(benchmark::State& state) { run_map(state, random_walk_window()); }

// The product path: each recorded message's levels applied with one apply_levels call.
class DiffCollector final : public data::MarketEventSink {
 public:
  struct Message {
    std::vector<model::PriceLevel> bids;
    std::vector<model::PriceLevel> asks;
  };
  std::vector<Message> messages;
  std::size_t levels = 0;
  void on_snapshot(const model::BookSnapshot& s) override { add(s.bids, s.asks); }
  void on_diff(const model::BookDiff& d) override { add(d.bids, d.asks); }
  void on_trade(const model::PublicTrade&) override {}

 private:
  void add(std::span<const model::PriceLevel> bids, std::span<const model::PriceLevel> asks) {
    messages.push_back({{bids.begin(), bids.end()}, {asks.begin(), asks.end()}});
    levels += bids.size() + asks.size();
  }
};

void real_messages(benchmark::State& state, const char* relative) {
  const auto path = sample_file(relative);
  if (!path) return state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
  DiffCollector collector;
  data::MarketReplayStats stats;
  const std::vector<std::filesystem::path> files = {*path};
  if (!data::replay_market_files(files, collector, stats)) return state.SkipWithError("replay failed");
  for (auto _ : state) {
    model::OrderBook book(Price::zero());
    for (const auto& m : collector.messages) benchmark::DoNotOptimize(book.apply_levels(m.bids, m.asks));
    benchmark::DoNotOptimize(book.best_bid());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(collector.levels * state.iterations()));
}
void BM_LevelUpdate_RandomWalk_StdMap(benchmark::State& state) { run_map(state, random_walk_updates()); }

void real(benchmark::State& state, const char* file, bool ladder) {
  const auto* updates = real_updates(file);
  if (updates == nullptr || updates->empty()) {
    state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
    return;
  }
  ladder ? run_ladder(state, *updates) : run_map(state, *updates);
}

BENCHMARK(BM_LevelUpdate_RandomWalk_Ladder);
BENCHMARK(BM_LevelUpdate_RandomWalk_StdMap);
BENCHMARK(BM_LevelUpdate_RandomWalkInCache_Ladder);
BENCHMARK(BM_LevelUpdate_RandomWalkInCache_StdMap);
BENCHMARK_CAPTURE(real_messages, SpotBtcusdt_ApplyLevels, "binance/spot/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(real_messages, UsdmBtcusdt_ApplyLevels, "binance/usdm/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(real, SpotBtcusdt_Ladder, "binance/spot/btcusdt_20240808.gz", true);
BENCHMARK_CAPTURE(real, SpotBtcusdt_StdMap, "binance/spot/btcusdt_20240808.gz", false);
BENCHMARK_CAPTURE(real, UsdmBtcusdt_Ladder, "binance/usdm/btcusdt_20240808.gz", true);
BENCHMARK_CAPTURE(real, UsdmBtcusdt_StdMap, "binance/usdm/btcusdt_20240808.gz", false);

}  // namespace
}  // namespace colibri::bench

BENCHMARK_MAIN();
