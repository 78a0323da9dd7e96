// L2 level updates: colibri's OrderBook against a std::map book, on a synthetic random walk and on
// the real diffs of the spot and USD-M BTCUSDT samples (DESIGN.md budget: <= 10 ns per update).

#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "colibri/data/market_file.h"
#include "colibri/model/order_book.h"
#include "colibri/venue/binance/sequence_policy.h"

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

// The messages of a recording that the product applies to its book, in the order it applies
// them: what BookSync does with the venue's sequence rules. Diffs that arrive before the snapshot
// are held back and replayed after it; diffs older than the book are dropped. (Feeding every
// message in file order instead leaves levels in the book that a removal before the snapshot
// should have deleted; on spot BTCUSDT a bid 135 USDT above the real touch then stays the best
// bid for the whole file and the book is crossed: not a book the product ever holds.)
class AppliedMessages final : public data::MarketEventSink {
 public:
  struct Message {
    std::vector<model::PriceLevel> bids;
    std::vector<model::PriceLevel> asks;
  };
  std::vector<Message> messages;  // messages[0] is the snapshot
  std::size_t levels = 0;
  bool gap = false;

  void on_snapshot(const model::BookSnapshot& s) override {
    if (!messages.empty()) return;  // the samples have one snapshot each
    add(s.bids, s.asks);
    last_ = s.last_update_id;
    first_ = true;
    for (const Pending& p : pending_) judge(p.diff, p.message);
    pending_.clear();
  }
  void on_diff(const model::BookDiff& d) override {
    Message m{{d.bids.begin(), d.bids.end()}, {d.asks.begin(), d.asks.end()}};
    if (messages.empty()) {
      pending_.push_back({d, std::move(m)});
    } else {
      judge(d, std::move(m));
    }
  }
  void on_trade(const model::PublicTrade&) override {}

 private:
  struct Pending {
    model::BookDiff diff;  // spans unused
    Message message;
  };
  void judge(const model::BookDiff& d, Message m) {
    const auto verdict = first_ ? policy_.first_after_snapshot(d, last_) : policy_.next(d, last_);
    if (verdict == model::DiffVerdict::Stale) return;
    if (verdict == model::DiffVerdict::Gap) gap = true;
    first_ = false;
    last_ = d.last_update_id;
    levels += m.bids.size() + m.asks.size();
    messages.push_back(std::move(m));
  }
  void add(std::span<const model::PriceLevel> bids, std::span<const model::PriceLevel> asks) {
    messages.push_back({{bids.begin(), bids.end()}, {asks.begin(), asks.end()}});
    levels += bids.size() + asks.size();
  }
  venue::binance::InferredSequencePolicy policy_;
  std::vector<Pending> pending_;
  model::UpdateId last_ = model::kNoUpdateId;
  bool first_ = false;
};

const AppliedMessages* applied_messages(const std::string& relative) {
  static std::map<std::string, AppliedMessages> cache;
  auto it = cache.find(relative);
  if (it != cache.end()) return &it->second;
  const auto path = sample_file(relative);
  if (!path) return nullptr;
  AppliedMessages collector;
  data::MarketReplayStats stats;
  const std::vector<std::filesystem::path> files = {*path};
  if (!data::replay_market_files(files, collector, stats) || collector.gap || collector.messages.empty()) {
    return nullptr;
  }
  return &cache.emplace(relative, std::move(collector)).first->second;
}

// Every level the product applies, one update each, starting with the snapshot's.
struct RealUpdates {
  std::vector<SidedLevel> levels;
};

const RealUpdates* real_updates(const std::string& relative) {
  static std::map<std::string, RealUpdates> cache;
  auto it = cache.find(relative);
  if (it != cache.end()) return &it->second;
  const AppliedMessages* applied = applied_messages(relative);
  if (applied == nullptr) return nullptr;
  RealUpdates out;
  for (const auto& m : applied->messages) {
    for (const auto& l : m.bids) out.levels.push_back({model::BookSide::Bid, l});
    for (const auto& l : m.asks) out.levels.push_back({model::BookSide::Ask, l});
  }
  return &cache.emplace(relative, std::move(out)).first->second;
}

// `restart_clears`: when the list starts again from its snapshot, the book is cleared first, as
// the product's apply_snapshot does (timed with the rest: the product pays it too).
void run_ladder(benchmark::State& state, const std::vector<SidedLevel>& updates, bool restart_clears = false) {
  model::OrderBook book(Price::zero());
  std::size_t i = 0;
  for (auto _ : state) {
    const SidedLevel& u = updates[i];
    benchmark::DoNotOptimize(book.apply_level(u.side, u.level));
    if (++i == updates.size()) [[unlikely]] {
      i = 0;
      if (restart_clears) book.clear();
    }
  }
  benchmark::DoNotOptimize(book.best_bid());
  state.SetItemsProcessed(state.iterations());
}

void run_map(benchmark::State& state, const std::vector<SidedLevel>& updates, bool restart_clears = false) {
  MapBook book;
  std::size_t i = 0;
  for (auto _ : state) {
    const SidedLevel& u = updates[i];
    book.apply(u.side, u.level);
    benchmark::DoNotOptimize(book.best_bid());
    if (++i == updates.size()) [[unlikely]] {
      i = 0;
      if (restart_clears) book.clear();
    }
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

// The product path: each applied message's levels with one apply_levels call (a new book per
// iteration, so the snapshot lands in an empty book as apply_snapshot's does).
void real_messages(benchmark::State& state, const char* relative) {
  const AppliedMessages* applied = applied_messages(relative);
  if (applied == nullptr) return state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
  for (auto _ : state) {
    model::OrderBook book(Price::zero());
    for (const auto& m : applied->messages) benchmark::DoNotOptimize(book.apply_levels(m.bids, m.asks));
    benchmark::DoNotOptimize(book.best_bid());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(applied->levels * state.iterations()));
}
void BM_LevelUpdate_RandomWalk_StdMap(benchmark::State& state) { run_map(state, random_walk_updates()); }

void real(benchmark::State& state, const char* file, bool ladder) {
  const RealUpdates* updates = real_updates(file);
  if (updates == nullptr || updates->levels.empty()) {
    state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
    return;
  }
  ladder ? run_ladder(state, updates->levels, true) : run_map(state, updates->levels, true);
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
